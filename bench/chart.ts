// Pure: the report as an SVG chart. Requests/s and p99 latency per scenario, on log scales
// (bcrypt-bound scenarios do a few per second, GET /me thousands).
import { formatMs, formatRate, measuredFor, SCENARIOS, type BenchReport, type ScenarioId } from './report.js';

interface Bar {
  label: string;
  value: number;
  kind: 'system' | 'yardstick' | 'ceiling';
}

const COLORS = { system: '#3b6fb6', yardstick: '#9a9a9a', ceiling: '#d08a2c' };
const ROW = 26;
const LABEL_WIDTH = 190;
const PANEL_WIDTH = 330;
const GAP = 40;
const TOP = 64;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const tick = (value: number) => (value >= 1 ? value.toFixed(0) : String(Number(value.toPrecision(1))));

function panel(
  bars: Bar[],
  x0: number,
  title: string,
  format: (value: number) => string,
  marker?: { value: number; label: string },
): string {
  const finite = bars.filter((bar) => Number.isFinite(bar.value) && bar.value > 0);
  const lo = Math.floor(Math.log10(Math.min(...finite.map((bar) => bar.value), 1)));
  const hi = Math.ceil(Math.log10(Math.max(...finite.map((bar) => bar.value), 10)));
  const scale = (value: number) => ((Math.log10(value) - lo) / (hi - lo || 1)) * PANEL_WIDTH;
  const height = bars.length * ROW;
  const parts = [`<text x="${x0}" y="${TOP - 24}" class="title">${escape(title)}</text>`];
  for (let decade = lo; decade <= hi; decade++) {
    const x = x0 + scale(10 ** decade);
    parts.push(
      `<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${TOP + height}" class="grid"/>`,
      `<text x="${x}" y="${TOP + height + 14}" class="tick">${tick(10 ** decade)}</text>`,
    );
  }
  if (marker && marker.value > 10 ** lo && marker.value < 10 ** hi) {
    const x = x0 + scale(marker.value);
    parts.push(
      `<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${TOP + height}" class="marker"/>`,
      `<text x="${x + 3}" y="${TOP - 8}" class="marker-label">${escape(marker.label)}</text>`,
    );
  }
  bars.forEach((bar, i) => {
    const y = TOP + i * ROW;
    const ok = Number.isFinite(bar.value) && bar.value > 0;
    const width = ok ? Math.max(1, scale(Math.max(bar.value, 10 ** lo))) : 0;
    parts.push(
      `<rect x="${x0}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 8}" fill="${COLORS[bar.kind]}"/>`,
      ok || bar.label ? `<text x="${x0 + width + 4}" y="${y + ROW / 2}" class="value">${ok ? format(bar.value) : 'n/a'}</text>` : '',
    );
  });
  return parts.join('\n');
}

export function renderSvg(report: BenchReport): string {
  const ids = (Object.keys(SCENARIOS) as ScenarioId[]).filter((id) => report.scenarios[id]);
  const kind = (id: ScenarioId): Bar['kind'] => (id.startsWith('baseline') || id.startsWith('bare') ? 'yardstick' : 'system');
  const bursts = [report.bursts?.register, report.bursts?.login].filter((burst) => burst !== undefined);
  const rates: Bar[] = [
    { label: `bcrypt ceiling (hashes/s)`, value: report.ceiling?.hashesPerSecond ?? Number.NaN, kind: 'ceiling' },
    ...ids.map((id) => ({ label: SCENARIOS[id], value: report.scenarios[id]!.requestsPerSecond, kind: kind(id) })),
    ...bursts.map((burst) => ({ label: `${burst.name} (goodput)`, value: burst.goodputPerSecond, kind: 'system' as const })),
  ];
  const p99s: Bar[] = [
    { label: '', value: Number.NaN, kind: 'ceiling' },
    ...ids.map((id) => ({ label: SCENARIOS[id], value: report.scenarios[id]!.latencyMs.p99, kind: kind(id) })),
    ...bursts.map((burst) => ({ label: burst.name, value: burst.latencyMs.p99, kind: 'system' as const })),
  ];
  const width = LABEL_WIDTH + 2 * PANEL_WIDTH + GAP + 80;
  const height = TOP + rates.length * ROW + 50;
  const labels = rates.map(
    (bar, i) => `<text x="${LABEL_WIDTH - 8}" y="${TOP + i * ROW + ROW / 2}" class="label">${escape(bar.label)}</text>`,
  );
  const s = report.settings;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<style>
  .title { font-weight: bold; font-size: 13px; }
  .label { text-anchor: end; dominant-baseline: middle; }
  .value { dominant-baseline: middle; font-size: 11px; }
  .tick { text-anchor: middle; font-size: 10px; fill: #666; }
  .grid { stroke: #ddd; }
  .note { font-size: 11px; fill: #555; }
  .marker { stroke: #c0392b; stroke-dasharray: 4 3; }
  .marker-label { font-size: 10px; fill: #c0392b; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" class="title">Gatehouse benchmark (${report.mode}, ${escape(report.startedAt)}): bcrypt cost ${s.rounds}, ${s.warmupS} s warm-up + ${escape(measuredFor(report))} per scenario, ${report.machine.cpus} CPUs</text>
${labels.join('\n')}
${panel(rates, LABEL_WIDTH, 'requests/s (log scale)', formatRate)}
${panel(p99s, LABEL_WIDTH + PANEL_WIDTH + GAP + 40, 'p99 latency, ms (log scale)', formatMs, { value: 25, label: 'GET /me target 25 ms' })}
<text x="10" y="${height - 10}" class="note">blue: Gatehouse (3 processes); grey: yardsticks (one-process NestJS baseline, bare node:http + pg); orange: bcrypt ceiling${
    report.bursts?.register ? `; burst register: ${report.bursts.register.orphans ?? 'n/a'} orphan accounts` : ''
  }</text>
</svg>
`;
}
