import type { CheckResult } from '../oracle/verdict.ts';
import { violationEvidence, violationHeadline } from './dossier.ts';
import type { RunSummary } from './summary.ts';
import { escapeXml as x } from './xml-text.ts';
import { checkRows } from './threshold-rows.ts';

/** Violations quoted in the isolation failure's body; the rest are in summary.json and report.html. */
const VIOLATIONS_IN_BODY = 10;

function properties(s: RunSummary): [string, string][] {
  const lib = s.versions.cacheLibrary;
  const props: [string, string | number | undefined][] = [
    ['seed', s.scenario.seed],
    ['verdict', s.verdict],
    ['exit-code', s.exitCode],
    ['scenario', s.scenario.name],
    ['scenario.file', s.scenario.file],
    ['cache.adapter', s.cache.adapter],
    ['cache.library', lib ? `${lib.name}@${lib.version}` : undefined],
    ['cache.library.version', lib?.version],
    ['service.verify', s.cache.verify],
    ['fleet.devices', s.fleet.devices],
    ['fleet.transport', s.fleet.transport],
    ['time-scale', s.scenario.timeScale],
    ['crosswire.version', s.versions.crosswire],
    ['node.version', s.versions.node],
    ['violations', s.violationCount],
    ['repro', s.repro],
  ];
  return props.filter((p): p is [string, string | number] => p[1] !== undefined).map(([k, v]) => [k, String(v)]);
}

/** The failure body: why, the first violations with their evidence, and how to reproduce. */
function body(s: RunSummary, check: CheckResult): string {
  const lines = [check.detail];
  if (check.name === 'isolation' && s.violations.length > 0) {
    const shown = s.violations.slice(0, VIOLATIONS_IN_BODY);
    lines.push('', `violations (${s.violationCount}, first ${shown.length}):`);
    for (const v of shown) {
      lines.push(`  ✗ ${violationHeadline(v)}`);
      for (const e of violationEvidence(v)) lines.push(`      ${e}`);
    }
  }
  if (s.repro) lines.push('', `reproduce: ${s.repro}`);
  return lines.join('\n');
}

function testcase(s: RunSummary, check: CheckResult): string {
  const open = `    <testcase classname="crosswire.${x(s.scenario.name)}" name="${x(check.name)}" time="0">`;
  if (check.status === 'pass') return `${open}</testcase>`;
  // FAIL is an assertion that failed; INCONCLUSIVE means the run could not decide: an error
  const tag = check.status === 'fail' ? 'failure' : 'error';
  return `${open}\n      <${tag} message="${x(check.detail)}" type="${check.status}">${x(body(s, check))}</${tag}>\n    </testcase>`;
}

/**
 * JUnit XML in the shape CI servers read (Ant's schema): one testsuite per scenario, one
 * testcase per check, the seed and library versions as properties.
 */
export function renderJunit(s: RunSummary): string {
  const rows = checkRows(s);
  const failures = rows.filter((c) => c.status === 'fail').length;
  const errors = rows.filter((c) => c.status === 'inconclusive').length;
  const tests = rows.length;
  const time = s.realSeconds.toFixed(3);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="crosswire" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${x(s.scenario.name)}" package="crosswire" id="0" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" ` +
      `time="${time}" timestamp="${x(s.startedAt.slice(0, 19))}" hostname="localhost">`,
    '    <properties>',
    ...properties(s).map(([name, value]) => `      <property name="${x(name)}" value="${x(value)}"/>`),
    '    </properties>',
    ...rows.map((c) => testcase(s, c)),
    `    <system-out>${x(`${s.verdict} ${s.scenario.name} seed ${s.scenario.seed} cache ${s.cache.adapter}${s.repro ? `\nreproduce: ${s.repro}` : ''}`)}</system-out>`,
    '    <system-err></system-err>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return out.join('\n');
}
