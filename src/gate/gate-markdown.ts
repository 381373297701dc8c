import { relative } from 'node:path';
import { changeText } from './gate-compare.ts';
import type { GateDocument } from './gate-document.ts';
import { SEED_HEADER, seedRows } from './gate-table.ts';
import { formatAmount, formatMetric } from './regression-metrics.ts';

const mark = { PASS: '✅', FAIL: '❌', REGRESSED: '⚠️', INCONCLUSIVE: '⚠️', INTERRUPTED: '⏹️' } as const;

/** A table cell: one line, no pipes, no HTML. */
function cell(text: string | number): string {
  return String(text).replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/[\r\n]+/g, ' ')}${fence}`;
}

/** summary.md of a gate: outcome first, for a CI step summary or a pull request comment. */
export function renderGateMarkdown(doc: GateDocument): string {
  const side = (s: GateDocument['baseline']) => `${code(s.label)}${s.library && s.library !== s.label ? ` (${cell(s.library)})` : ''}`;
  const out: string[] = [
    `## ${mark[doc.outcome]} gate ${doc.outcome} — candidate ${cell(doc.candidate.label)} vs baseline ${cell(doc.baseline.label)}`,
    '',
    `baseline ${side(doc.baseline)} · candidate ${side(doc.candidate)} · seeds ${doc.seeds.join(', ')} · exit ${doc.exitCode} · ` +
      `crosswire ${cell(doc.crosswire)}, Node ${cell(doc.node)}`,
    '',
  ];
  for (const f of doc.findings) {
    out.push(`- ❌ exit ${f.exitCode}: ${cell(f.message)}${f.repro ? ` — reproduce: ${code(f.repro)}` : ''}`);
  }
  for (const note of doc.notes) out.push(`- ℹ️ ${cell(note)}`);
  if (doc.findings.length + doc.notes.length > 0) out.push('');

  out.push(`| ${SEED_HEADER.join(' | ')} |`, `|${SEED_HEADER.map((_, i) => (i < 4 ? '---' : '---:')).join('|')}|`);
  for (const row of seedRows(doc.runs)) out.push(`| ${row.map(cell).join(' | ')} |`);
  out.push('');

  if (doc.comparisons.length > 0) {
    out.push(`Comparisons: ${cell(doc.aggregation)}.`, '');
    out.push('| | scenario | metric | baseline | candidate | change | margin | noise floor |', '|---|---|---|---:|---:|---:|---:|---:|');
    for (const c of doc.comparisons) {
      const m = c.status === 'regressed' ? '❌' : c.status === 'ok' ? '✅' : '➖';
      const change = changeText(c);
      out.push(`| ${m} | ${cell(c.scenario)} | ${cell(c.metric)} | ${formatMetric(c.metric, c.baseline)} | ${formatMetric(c.metric, c.candidate)} | ${change} | ${c.marginPercent}% | ${formatAmount(c.metric, c.floor)} |`);
    }
    out.push('');
  }
  out.push('Run directories (relative to the gate directory):', '');
  for (const p of doc.runs) {
    out.push(`- ${cell(p.scenario)} seed ${p.seed}: baseline ${code(relative(doc.gateDirectory, p.baseline.runDir))}, candidate ${code(relative(doc.gateDirectory, p.candidate.runDir))}`);
  }
  out.push('');
  return out.join('\n');
}
