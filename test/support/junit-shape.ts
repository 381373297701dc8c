import { expect } from 'vitest';
import type { XmlElement } from './xml-parse.ts';

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

/**
 * The JUnit shape CI servers read (Ant's JUnit schema, as Jenkins, GitLab and GitHub reporters
 * take it): <testsuites> of <testsuite name tests failures errors time timestamp hostname>, each
 * with <properties>, <testcase name classname time> holding at most one <failure>/<error
 * message type>, and counts that match the test cases.
 */
export function expectJunitShape(root: XmlElement): void {
  expect(root.name).toBe('testsuites');
  const suites = kids(root, 'testsuite');
  expect(suites.length).toBeGreaterThan(0);
  for (const suite of suites) {
    for (const attr of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname']) expect(suite.attributes, attr).toHaveProperty(attr);
    expect(suite.attributes.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Number(suite.attributes.time)).toBeGreaterThanOrEqual(0);
    const props = kids(suite, 'properties');
    expect(props).toHaveLength(1);
    for (const p of props[0].children) {
      expect(p.name).toBe('property');
      expect(Object.keys(p.attributes).sort()).toEqual(['name', 'value']);
    }
    const cases = kids(suite, 'testcase');
    expect(Number(suite.attributes.tests)).toBe(cases.length);
    let failures = 0;
    let errors = 0;
    for (const c of cases) {
      for (const attr of ['name', 'classname', 'time']) expect(c.attributes).toHaveProperty(attr);
      const outcome = c.children.filter((k) => ['failure', 'error', 'skipped'].includes(k.name));
      expect(outcome.length).toBeLessThanOrEqual(1);
      for (const o of outcome) {
        if (o.name !== 'skipped') for (const attr of ['message', 'type']) expect(o.attributes).toHaveProperty(attr);
        if (o.name === 'failure') failures++;
        if (o.name === 'error') errors++;
      }
    }
    expect(Number(suite.attributes.failures)).toBe(failures);
    expect(Number(suite.attributes.errors)).toBe(errors);
    const order = suite.children.map((c) => c.name).filter((n, i, all) => all.indexOf(n) === i);
    expect(order).toEqual(['properties', 'testcase', 'system-out', 'system-err']);
  }
  expect(Number(root.attributes.tests)).toBe(suites.reduce((n, s) => n + Number(s.attributes.tests), 0));
}

export function properties(root: XmlElement): Record<string, string> {
  const suite = kids(root, 'testsuite')[0];
  return Object.fromEntries(kids(kids(suite, 'properties')[0], 'property').map((p) => [p.attributes.name, p.attributes.value]));
}
