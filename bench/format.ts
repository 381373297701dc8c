/** Plain-text tables and number formatting for the bench printout. */

export function int(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US');
}

export function fixed(n: number | undefined, digits = 2): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

export function pct(share: number | undefined, digits = 1): string {
  return share === undefined || !Number.isFinite(share) ? '–' : `${(share * 100).toFixed(digits)}%`;
}

export function kb(bytes: number | undefined, digits = 2): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '–' : `${(bytes / 1024).toFixed(digits)} KB`;
}

export function seconds(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '–' : `${(ms / 1000).toFixed(2)} s`;
}

/** Columns padded to their widest cell; numbers (cells starting with a digit, – or ~) right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (cell: string) => /^[\d–~<>≈+-]/.test(cell);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export function heading(text: string): string {
  return `\n${text}\n${'═'.repeat(text.length)}`;
}
