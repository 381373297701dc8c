import { escapeXml as x } from '../report/xml-text.ts';
import type { GateDocument } from './gate-document.ts';

interface Case {
  name: string;
  time: number;
  outcome?: { tag: 'failure' | 'error' | 'skipped'; message: string; body: string };
}

function cases(doc: GateDocument, scenario: string): Case[] {
  const out: Case[] = [];
  for (const p of doc.runs.filter((r) => r.scenario === scenario)) {
    const c = p.candidate;
    const body = [...c.reasons, '', `candidate run directory: ${c.runDir}`, `baseline ${p.baseline.verdict}: ${p.baseline.runDir}`, `reproduce: ${c.repro}`].join('\n');
    out.push({
      name: `candidate isolation, seed ${p.seed}`,
      time: c.realSeconds,
      outcome:
        c.verdict === 'FAIL'
          ? { tag: 'failure', message: `candidate ${doc.candidate.label} leaks: ${c.reasons[0] ?? ''}`, body }
          : c.verdict === 'INCONCLUSIVE'
            ? { tag: 'error', message: `candidate run INCONCLUSIVE: ${c.reasons[0] ?? ''}`, body }
            : undefined,
    });
    for (const t of c.thresholds) {
      const base = p.baseline.thresholds.find((b) => b.metric === t.metric && b.expression === t.expression);
      const breached = p.newBreaches.includes(t);
      out.push({
        name: `threshold ${t.metric} ${t.expression}, seed ${p.seed}`,
        time: 0,
        outcome: breached
          ? { tag: 'failure', message: `breached by the candidate only: measured ${t.measured}${base ? `, baseline ${base.measured}` : ''}`, body: `reproduce: ${c.repro}` }
          : undefined,
      });
    }
  }
  for (const cmp of doc.comparisons.filter((m) => m.scenario === scenario)) {
    const name = `${cmp.metric} at most ${cmp.marginPercent}% worse than baseline (median over seeds)`;
    const outcome: Case['outcome'] =
      cmp.status === 'regressed'
        ? { tag: 'failure', message: `regressed: ${cmp.note}`, body: cmp.note }
        : cmp.status === 'not-compared'
          ? { tag: 'error', message: `not compared: ${cmp.note}`, body: cmp.note }
          : cmp.status === 'n/a'
            ? { tag: 'skipped', message: cmp.note, body: '' }
            : undefined;
    out.push({ name, time: 0, outcome });
  }
  return out;
}

function testcase(scenario: string, c: Case): string {
  const open = `    <testcase classname="crosswire.gate.${x(scenario)}" name="${x(c.name)}" time="${c.time.toFixed(3)}">`;
  if (!c.outcome) return `${open}</testcase>`;
  const { tag, message, body } = c.outcome;
  if (tag === 'skipped') return `${open}\n      <skipped message="${x(message)}"/>\n    </testcase>`;
  return `${open}\n      <${tag} message="${x(message)}" type="${tag === 'failure' ? 'fail' : 'inconclusive'}">${x(body)}</${tag}>\n    </testcase>`;
}

/**
 * The gate as JUnit XML: one testsuite per scenario, a testcase per comparison (the candidate's
 * isolation per seed, each threshold per seed, each metric margin), both sides as properties.
 */
export function renderGateJunit(doc: GateDocument): string {
  const scenarios = [...new Set(doc.runs.map((r) => r.scenario))];
  const suites = scenarios.map((scenario, id) => {
    const list = cases(doc, scenario);
    const count = (tag: string) => list.filter((c) => c.outcome?.tag === tag).length;
    const time = doc.runs.filter((r) => r.scenario === scenario).reduce((t, r) => t + r.baseline.realSeconds + r.candidate.realSeconds, 0);
    const props: [string, string | undefined][] = [
      ['baseline', doc.baseline.label],
      ['baseline.library', doc.baseline.library],
      ['candidate', doc.candidate.label],
      ['candidate.library', doc.candidate.library],
      ['seeds', doc.seeds.join(',')],
      ['margins', doc.margins.map((m) => `${m.metric}=${m.percent}%`).join(',')],
      ['aggregation', doc.aggregation],
      ['gate.outcome', doc.outcome],
      ['gate.exit-code', String(doc.exitCode)],
      ['crosswire.version', doc.crosswire],
      ['node.version', doc.node],
    ];
    return [
      `  <testsuite name="gate ${x(scenario)}" package="crosswire.gate" id="${id}" tests="${list.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" ` +
        `time="${time.toFixed(3)}" timestamp="${x(doc.startedAt.slice(0, 19))}" hostname="localhost">`,
      '    <properties>',
      ...props.filter((p): p is [string, string] => p[1] !== undefined).map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`),
      '    </properties>',
      ...list.map((c) => testcase(scenario, c)),
      `    <system-out>${x(doc.notes.join('\n'))}</system-out>`,
      '    <system-err></system-err>',
      '  </testsuite>',
    ].join('\n');
  });
  const all = scenarios.flatMap((s) => cases(doc, s));
  const total = (tag: string) => all.filter((c) => c.outcome?.tag === tag).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="crosswire gate" tests="${all.length}" failures="${total('failure')}" errors="${total('error')}" time="${doc.realSeconds.toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
