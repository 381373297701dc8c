import { cloneDraft, devicesText, type ScenarioDraft } from './scenario-draft.ts';

/** The scenario schema's smallest `fleet.eventInterval` (ms). */
const MIN_EVENT_INTERVAL = 10;

/**
 * The simplifications of a failing draft, most valuable first: drop timeline steps, then fewer
 * devices (a bisection towards 1; each count also with the events of the dropped devices spread
 * over those left, the same event rate), then one viewer per account, a shorter scenario, shorter
 * fault windows, earlier steps and smaller transfers. The shrink (explore-search.ts) keeps the
 * first one that still FAILs and starts over from it — greedy delta debugging, so every kept step
 * makes the draft strictly smaller and the loop ends.
 */
export function* simplificationsOf(draft: ScenarioDraft): Generator<{ what: string; draft: ScenarioDraft }> {
  const edit = (what: string, change: (d: ScenarioDraft) => void) => {
    const copy = cloneDraft(draft);
    change(copy);
    return { what, draft: copy };
  };
  const steps = draft.timeline;
  if (steps.length > 1) yield edit('no timeline steps', (d) => (d.timeline = []));
  for (let i = steps.length - 1; i >= 0; i--) {
    yield edit(`without step ${i + 1} (${steps[i].fault ?? 'transfer'})`, (d) => d.timeline.splice(i, 1));
  }

  const devices = draft.fleet.devices;
  const fewer = [1, 2, Math.ceil(devices / 8), Math.ceil(devices / 4), Math.ceil(devices / 2), Math.ceil((devices * 3) / 4), devices - 1];
  const interval = draft.fleet.eventInterval;
  for (const n of [...new Set(fewer)].filter((n) => n >= 1 && n < devices).sort((a, b) => a - b)) {
    yield edit(devicesText(n), (d) => (d.fleet.devices = n));
    // the same event rate from fewer devices: a bug that needs requests in flight together (a
    // reply crossed on a busy connection) still shows, and the event interval is not a size
    const faster = Math.max(MIN_EVENT_INTERVAL, Math.round((interval * n) / devices));
    if (faster < interval) {
      yield edit(`${devicesText(n)}, an event every ${faster}ms`, (d) => {
        d.fleet.devices = n;
        d.fleet.eventInterval = faster;
      });
    }
  }
  if (draft.fleet.viewersPerAccount.max > 1) yield edit('one viewer per account', (d) => (d.fleet.viewersPerAccount = { min: 1, max: 1 }));

  const lastEnd = steps.reduce((end, s) => Math.max(end, s.at + (s.duration ?? 0)), 0);
  const shortest = Math.max(2000, Math.ceil((lastEnd + 1000) / 1000) * 1000);
  for (const duration of [shortest, Math.round((shortest + draft.duration) / 2000) * 1000]) {
    if (duration >= draft.duration) continue;
    yield edit(`lasting ${duration / 1000}s`, (d) => {
      d.duration = duration;
      d.drain = Math.min(d.drain, Math.max(500, Math.floor(duration / 5 / 100) * 100));
      if (d.drain + lastEnd >= duration) d.duration = lastEnd + d.drain + 500;
    });
  }

  for (const [i, step] of steps.entries()) {
    const label = `step ${i + 1} (${step.fault ?? 'transfer'})`;
    if (step.duration !== undefined && step.duration > 200) {
      const half = Math.max(100, Math.round(step.duration / 200) * 100);
      yield edit(`${label} lasting ${half}ms`, (d) => (d.timeline[i].duration = half));
    }
    if (step.at > 0) {
      const earlier = Math.floor(step.at / 200) * 100;
      yield edit(`${label} at ${earlier}ms`, (d) => {
        d.timeline[i].at = earlier;
        d.timeline.sort((a, b) => a.at - b.at);
      });
    }
    if (step.transfer !== undefined && step.transfer.share > 0.01) {
      const share = Math.max(0.01, Math.round(step.transfer.share * 50) / 100);
      yield edit(`${label} moving ${Math.round(share * 100)}%`, (d) => (d.timeline[i].transfer = { ...d.timeline[i].transfer, share }));
    }
  }
}
