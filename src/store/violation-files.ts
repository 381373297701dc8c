import { appendFileSync, createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Blame, Violation } from '../oracle/violation.ts';

/** The run directory's files that hold every violation (summary.json keeps only the first ones). */
export const VIOLATION_FILES = {
  violations: 'violations.ndjson',
  affectedAccounts: 'affected-accounts.csv',
  /** Every violation as found, before blame (blame needs the whole history): rewritten at the end. */
  spool: 'violations.partial.ndjson',
} as const;

const FLUSH_BYTES = 64 * 1024;

/**
 * Takes every violation as the checker finds it and appends it to the spool file, a line each,
 * buffered: memory holds at most one buffer however many violations there are. A run that is
 * killed keeps what was flushed.
 */
export class ViolationSpool {
  readonly file: string;
  private buffer: string[] = [];
  private bytes = 0;
  count = 0;

  constructor(dir: string) {
    this.file = join(dir, VIOLATION_FILES.spool);
    writeFileSync(this.file, '');
  }

  readonly add = (v: Violation): void => {
    const line = JSON.stringify(v) + '\n';
    this.buffer.push(line);
    this.bytes += line.length;
    this.count++;
    if (this.bytes >= FLUSH_BYTES) this.flush();
  };

  /** Removes the spool (nothing was judged: a history that could not be read). */
  async discard(): Promise<void> {
    this.buffer = [];
    await rm(this.file, { force: true });
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    appendFileSync(this.file, this.buffer.join(''));
    this.buffer = [];
    this.bytes = 0;
  }
}

export interface AffectedAccount {
  account: string;
  devices: Set<string>;
  thumbnails: number;
  videos: number;
  first: number;
  last: number;
}

export interface ViolationFilesResult {
  violations: number;
  affectedAccounts: number;
  accountsTapped: number;
}

/**
 * violations.ndjson (every violation, each with its blame) and affected-accounts.csv, from the
 * spool, streamed: one violation in memory at a time, plus one row per affected account.
 * Written beside and renamed into place, so a reader never sees half a file.
 */
export async function writeViolationFiles(dir: string, spool: ViolationSpool, blameOf: (v: Violation) => Blame): Promise<ViolationFilesResult> {
  spool.flush();
  const target = join(dir, VIOLATION_FILES.violations);
  const out = createWriteStream(`${target}.tmp`);
  const accounts = new Map<string, AffectedAccount>();
  let count = 0;
  const lines = createInterface({ input: createReadStream(spool.file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const v = JSON.parse(line) as Violation;
    v.blame = blameOf(v);
    count++;
    if (!out.write(JSON.stringify(v) + '\n')) await once(out, 'drain');
    if (v.kind !== 'corrupt-media') affect(accounts, v);
  }
  out.end();
  await once(out, 'finish');
  await rename(`${target}.tmp`, target);
  const rows = [...accounts.values()].sort((a, b) => a.account.localeCompare(b.account));
  const csvFile = join(dir, VIOLATION_FILES.affectedAccounts);
  writeFileSync(`${csvFile}.tmp`, affectedAccountsCsv(rows));
  await rename(`${csvFile}.tmp`, csvFile);
  await rm(spool.file, { force: true });
  return { violations: count, affectedAccounts: rows.length, accountsTapped: rows.filter((r) => r.videos > 0).length };
}

function affect(accounts: Map<string, AffectedAccount>, v: Violation): void {
  let a = accounts.get(v.receivedBy);
  if (a === undefined) accounts.set(v.receivedBy, (a = { account: v.receivedBy, devices: new Set(), thumbnails: 0, videos: 0, first: v.receivedAt, last: v.receivedAt }));
  a.devices.add(v.deviceId);
  if (v.kind === 'foreign-video') a.videos++;
  else a.thumbnails++;
  a.first = Math.min(a.first, v.receivedAt);
  a.last = Math.max(a.last, v.receivedAt);
}

export const AFFECTED_ACCOUNTS_HEADER = 'account,devices_seen,media_received,thumbnails,videos,tapped,first_at,last_at,first_ms,last_ms';

/** One row per account that received foreign media; times are scenario time. */
export function affectedAccountsCsv(rows: readonly AffectedAccount[]): string {
  const out = [AFFECTED_ACCOUNTS_HEADER];
  for (const r of rows) {
    const devices = [...r.devices].sort().join(';');
    out.push(
      [csvField(r.account), csvField(devices), r.thumbnails + r.videos, r.thumbnails, r.videos, r.videos > 0 ? 'yes' : 'no', scenarioTime(r.first), scenarioTime(r.last), Math.round(r.first), Math.round(r.last)].join(','),
    );
  }
  return out.join('\n') + '\n';
}

/** `+HH:MM:SS.mmm` from scenario ms. */
export function scenarioTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  return `+${pad(h)}:${pad(m)}:${pad(s)}.${pad(total % 1000, 3)}`;
}

/** Quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
