import type { TimeSeries } from '../metrics/time-series.ts';
import type { RunSummary } from './summary.ts';
import { barChart, formatSeconds, lineChart, type Band } from './svg-chart.ts';
import { timelineChart } from './svg-timeline.ts';
import { escapeXml as x } from './xml-text.ts';

/** One chart with its heading and a sentence saying what to look for. */
function figure(title: string, note: string, svg: string): string {
  return `<figure class="chart"><figcaption><h3>${x(title)}</h3><p class="dim">${x(note)}</p></figcaption>${svg}</figure>`;
}

function bands(s: RunSummary): Band[] {
  return s.faults
    .filter((f) => f.injectedAt !== undefined)
    .map((f) => ({ from: f.injectedAt!, to: f.healedAt ?? s.scenario.durationMs, label: f.id }));
}

/** Per-bucket counts as rates per scenario second (the last bucket may be shorter). */
function perSecond(ts: TimeSeries, values: readonly number[]): number[] {
  return values.map((v, i) => {
    const dt = ts.t[i] - (ts.t[i - 1] ?? Math.max(0, ts.t[0] - ts.bucketMs));
    return dt > 0 ? Math.round((v * 1000) / dt) : 0;
  });
}

function storms(s: RunSummary): string[] {
  return s.storms.map((st, i) => {
    const t = st.timeToReconnect;
    const bins = st.timeToReconnectBins;
    const title = `Reconnect time after ${st.fault} at ${formatSeconds(st.outageAt)}`;
    const note = `${st.reconnected} of ${st.dropped} cameras back; time from restore to CONNACK (scenario time), p50 ${formatSeconds(t.p50)}, p99 ${formatSeconds(t.p99)}, max ${formatSeconds(t.max)}.`;
    if (bins === undefined) return figure(title, `${note} (This summary has percentiles only, no histogram.)`, '');
    return figure(
      title,
      note,
      barChart({
        id: `reconnect-${i + 1}`,
        title,
        binWidth: bins.binMs,
        counts: bins.counts,
        xLabel: 'time to reconnect',
        yLabel: 'cameras',
        color: '#2a9d8f',
        markers: [
          { at: t.p50, label: `p50 ${formatSeconds(t.p50)}` },
          { at: t.p99, label: `p99 ${formatSeconds(t.p99)}` },
        ],
        formatX: formatSeconds,
      }),
    );
  });
}

/** Every chart of report.html, in reading order. */
export function chartsSection(s: RunSummary): string {
  const parts = ['<section id="charts"><h2>The run over time</h2>'];
  parts.push(figure('Timeline', 'Faults as scheduled (dashed) and as they happened (solid), storms, ownership transfers, and when violations were seen.', timelineChart(s)));
  const ts = s.timeSeries;
  const xMax = s.scenario.durationMs;
  const b = bands(s);
  if (ts === undefined || ts.t.length === 0) {
    parts.push('<p class="warn">This summary has no time series (written by an older crosswire, or the run stopped before its first sample).</p>');
    parts.push(...storms(s));
  } else {
    const bucket = `${formatSeconds(ts.bucketMs)} buckets`;
    parts.push(
      figure(
        'Connected devices',
        `Cameras connected, in backoff and given up, and viewers online, at the end of each of the ${bucket}. Shaded: fault windows.`,
        lineChart({
          id: 'connected',
          title: 'Connected devices over time',
          x: ts.t,
          xMax,
          yLabel: 'clients',
          bands: b,
          series: [
            { name: 'cameras connected', values: ts.camerasConnected, color: '#264653' },
            { name: 'cameras in backoff', values: ts.camerasInBackoff, color: '#e9c46a' },
            { name: 'cameras gave up', values: ts.camerasGaveUp, color: '#b00020' },
            { name: 'viewers online', values: ts.viewersOnline, color: '#2a9d8f', dashed: true },
          ],
        }),
      ),
    );
    if (ts.connectAttempts !== undefined) {
      parts.push(
        figure(
          'Connection attempts per second',
          'Camera connection attempts begun per second of scenario time: the storm itself, as the fleet comes back after each outage (shaded).',
          lineChart({
            id: 'connect-attempts',
            title: 'Connection attempts per second',
            x: ts.t,
            xMax,
            yLabel: 'attempts per second',
            bands: b,
            series: [{ name: 'connection attempts/s', values: perSecond(ts, ts.connectAttempts), color: '#e76f51' }],
          }),
        ),
      );
    }
    parts.push(...storms(s));
    parts.push(
      figure(
        'Thumbnails delivered per second',
        'Thumbnails viewers received and events cameras published, per second of scenario time.',
        lineChart({
          id: 'thumbnails',
          title: 'Thumbnails delivered per second',
          x: ts.t,
          xMax,
          yLabel: 'per second',
          bands: b,
          series: [
            { name: 'thumbnails received/s', values: perSecond(ts, ts.thumbnails), color: '#264653' },
            { name: 'events published/s', values: perSecond(ts, ts.events), color: '#f4a261', dashed: true },
          ],
        }),
      ),
    );
    parts.push(
      figure(
        'Cache latency',
        'p50 and p99 of the cache operations completed in each bucket (log scale).',
        lineChart({
          id: 'cache-latency',
          title: 'Cache latency',
          x: ts.t,
          xMax,
          yLabel: 'ms',
          log: true,
          bands: b,
          series: [
            { name: 'p50', values: ts.cacheP50Ms, color: '#264653' },
            { name: 'p99', values: ts.cacheP99Ms, color: '#b00020' },
          ],
        }),
      ),
    );
    parts.push(
      figure(
        'Cache hits, misses and errors',
        'Gets per second of scenario time, by outcome.',
        lineChart({
          id: 'cache-rates',
          title: 'Cache hit, miss and error rates',
          x: ts.t,
          xMax,
          yLabel: 'gets per second',
          bands: b,
          series: [
            { name: 'hits/s', values: perSecond(ts, ts.cacheHits), color: '#2a9d8f' },
            { name: 'misses/s', values: perSecond(ts, ts.cacheMisses), color: '#e9c46a' },
            { name: 'errors/s', values: perSecond(ts, ts.cacheErrors), color: '#b00020' },
          ],
        }),
      ),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}
