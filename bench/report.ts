// Pure: the benchmark's report, its targets and its terminal table.
import type { Ceiling } from './bcrypt-ceiling.js';
import type { BurstResult } from './burst.js';
import type { LoadResult } from './load.js';

export const SCENARIOS = {
  register: 'POST /register',
  registerNoEmail: 'POST /register, no email',
  baselineRegister: 'baseline POST /register',
  login: 'POST /login',
  me: 'GET /me',
  baselineMe: 'baseline GET /me',
  bareMe: 'bare GET /me',
  refresh: 'POST /refresh',
  mixed: 'mixed 1:5:50:5',
  natsMe: 'GET /me over NATS',
} as const;
export type ScenarioId = keyof typeof SCENARIOS;

export const APPS = ['gateway', 'user', 'identity', 'mail'] as const;
export const IDLE_RSS_LIMIT_MB = 150;

export interface Target {
  label: string;
  actual: string;
  met: boolean;
}

export interface BenchReport {
  mode: 'quick' | 'full' | 'me' | 'bcrypt';
  /** How much the apps logged in the run. */
  appLogMB?: number;
  startedAt: string;
  wallS: number;
  machine: { cpus: number; model: string; node: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  settings: {
    rounds: number;
    warmupS: number;
    measureS: number;
    /** Runs before 2026-12-02 measured register and login for `measureS`. */
    bcryptMeasureS?: number;
    meRounds: number;
    connections: Record<string, number>;
    env: Record<string, string>;
  };
  /** Missing only when the run failed before measuring it. */
  ceiling?: Ceiling;
  scenarios: Partial<Record<ScenarioId, LoadResult>>;
  /** Bursts of many polite clients at once (see burst.ts). */
  bursts?: { register?: BurstResult; login?: BurstResult; natsRegister?: BurstResult };
  /** Why the NATS scenarios did not run (no `nats-server` binary), if they did not. */
  natsSkipped?: string;
  /** Resident MB per process, after start-up (before any load) and at the end. */
  memory: { idle: Record<string, number | undefined>; end: Record<string, number | undefined> };
  phasesS: Record<string, number>;
  targets: Target[];
  errors: number;
  /** Why the run stopped early, if it did. */
  failure?: string;
}

export const ratio = (value: number | undefined, to: number | undefined): number | undefined =>
  value === undefined || to === undefined || !(to > 0) ? undefined : value / to;

const pct = (value: number | undefined, digits = 0): string => (value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)}%`);

export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2);
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** A bcrypt-bound result's yardstick: the ceilings measured beside it, else (a --quick run) the run's. */
const ceilingOf = (report: Pick<BenchReport, 'ceiling'>, result?: { ceilingBeside?: number }): number | undefined =>
  result?.ceilingBeside ?? report.ceiling?.hashesPerSecond;

const ofCeiling = (rps: number | undefined, ceiling: number | undefined) =>
  `${pct(ratio(rps, ceiling))} of bcrypt ceiling${ceiling === undefined ? '' : ` (${formatRate(ceiling)})`}`;

/** What each scenario is measured against, as "x% of y". */
export function comparisons(report: Pick<BenchReport, 'ceiling' | 'scenarios'>, id: ScenarioId): string[] {
  const s = report.scenarios;
  const rps = s[id]?.requestsPerSecond;
  const ceiling = ceilingOf(report, s[id]);
  switch (id) {
    case 'register':
      return [ofCeiling(rps, ceiling), `${pct(ratio(rps, s.baselineRegister?.requestsPerSecond))} of baseline`];
    case 'registerNoEmail':
    case 'baselineRegister':
    case 'login':
      return [ofCeiling(rps, ceiling)];
    case 'me':
      return [`${pct(ratio(rps, s.baselineMe?.requestsPerSecond))} of baseline`, `${pct(ratio(rps, s.bareMe?.requestsPerSecond))} of bare`];
    case 'baselineMe':
      return [`${pct(ratio(rps, s.bareMe?.requestsPerSecond))} of bare`];
    case 'natsMe':
      return [`${pct(ratio(rps, s.me?.requestsPerSecond))} of TCP`];
    default:
      return [];
  }
}

export function computeTargets(report: Pick<BenchReport, 'mode' | 'ceiling' | 'scenarios' | 'memory' | 'settings' | 'bursts'>): Target[] {
  const s = report.scenarios;
  const atLeast = (label: string, value: number | undefined, to: number | undefined, share: number, unit: string): Target => {
    const r = ratio(value, to);
    return {
      label: `${label} ≥ ${share * 100}%`,
      actual: `${pct(r, 1)} (${formatRate(value ?? Number.NaN)} vs ${formatRate(to ?? Number.NaN)} ${unit})`,
      met: r !== undefined && r >= share,
    };
  };
  const me = s.me;
  const errors = totalErrors(s);
  const meTargets = [
    atLeast('GET /me vs one-process baseline', me?.requestsPerSecond, s.baselineMe?.requestsPerSecond, 0.9, 'req/s'),
    atLeast('GET /me vs bare limit', me?.requestsPerSecond, s.bareMe?.requestsPerSecond, 0.7, 'req/s'),
    {
      label: `GET /me p99 < 25 ms at ${report.settings.connections.me} connections`,
      actual: `${formatMs(me?.latencyMs.p99 ?? Number.NaN)} ms`,
      met: me !== undefined && me.latencyMs.p99 < 25,
    },
    { label: 'no errors (non-2xx or socket)', actual: String(errors), met: errors === 0 },
  ];
  if (report.mode === 'me') return meTargets;
  const rateTargets = [
    atLeast('register/s vs bcrypt ceiling', s.register?.requestsPerSecond, ceilingOf(report, s.register), 0.9, '/s'),
    atLeast('login/s vs bcrypt ceiling', s.login?.requestsPerSecond, ceilingOf(report, s.login), 0.9, '/s'),
  ];
  const bursts = burstTargets(report, atLeast);
  if (report.mode === 'bcrypt') return [...rateTargets, ...bursts];
  return [
    ...rateTargets,
    ...meTargets,
    ...bursts,
    ...APPS.map((app) => {
      const mb = report.memory.idle[app];
      return {
        label: `${app} resident at idle < ${IDLE_RSS_LIMIT_MB} MB`,
        actual: mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`,
        met: mb !== undefined && mb < IDLE_RSS_LIMIT_MB,
      };
    }),
  ];
}

function burstTargets(
  { bursts, ceiling }: Pick<BenchReport, 'bursts' | 'ceiling'>,
  atLeast: (label: string, value: number | undefined, to: number | undefined, share: number, unit: string) => Target,
): Target[] {
  if (!bursts?.register && !bursts?.login) return [];
  const all = [bursts.register, bursts.login].filter((burst): burst is BurstResult => burst !== undefined);
  const timeouts = all.reduce(
    (sum, burst) =>
      sum +
      Object.entries(burst.statuses)
        .filter(([key]) => key.startsWith('504'))
        .reduce((n, [, count]) => n + count, 0),
    0,
  );
  const unexpected = all.reduce((sum, burst) => sum + burst.unexpected + burst.failures, 0);
  const orphans = (bursts.register?.orphans ?? 0) + (bursts.register?.missing ?? 0);
  return [
    atLeast(
      'burst register goodput vs bcrypt ceiling',
      bursts.register?.goodputPerSecond,
      ceilingOf({ ceiling }, bursts.register),
      0.9,
      '/s',
    ),
    atLeast('burst login goodput vs bcrypt ceiling', bursts.login?.goodputPerSecond, ceilingOf({ ceiling }, bursts.login), 0.9, '/s'),
    { label: 'burst: no 504', actual: String(timeouts), met: timeouts === 0 },
    { label: 'burst: every other answer a 503 with Retry-After or a 409', actual: `${unexpected} others`, met: unexpected === 0 },
    {
      label: 'burst: no orphan accounts (and none missing)',
      actual: `${bursts.register?.orphans ?? 'n/a'} orphans, ${bursts.register?.missing ?? 'n/a'} missing`,
      met: bursts.register?.orphans === 0 && orphans === 0,
    },
  ];
}

export function totalErrors(scenarios: BenchReport['scenarios']): number {
  return Object.values(scenarios).reduce((sum, result) => sum + (result?.errors.total ?? 0), 0);
}

const loadAverages = ({ loadAverageAtStart, loadAverageAtEnd }: BenchReport['machine']) =>
  `${loadAverageAtStart[0].toFixed(2)} at the start${loadAverageAtEnd ? `, ${loadAverageAtEnd[0].toFixed(2)} at the end` : ''}`;

function table(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "10 s", or "10 s (8-connection register and login: 20 s)"; a --me run measures none of those. */
export function measuredFor({ mode, settings: { measureS, bcryptMeasureS } }: Pick<BenchReport, 'mode' | 'settings'>): string {
  const longer = mode !== 'me' && bcryptMeasureS !== undefined && bcryptMeasureS !== measureS;
  return `${measureS} s${longer ? ` (8-connection register and login: ${bcryptMeasureS} s)` : ''}`;
}

/** Whether any result was judged against the ceilings beside it, not the run's. */
const besideCeilings = (report: Pick<BenchReport, 'scenarios' | 'bursts'>): boolean =>
  [...Object.values(report.scenarios), ...Object.values(report.bursts ?? {})].some((result) => result?.ceilingBeside !== undefined);

export function renderTable(report: BenchReport): string {
  const c = report.ceiling;
  const header = ['scenario', 'conns', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'vs yardstick'];
  const rows: string[][] = [header, header.map((cell) => '-'.repeat(cell.length))];
  if (c) {
    const rates = c.runs.map((run) => run.hashesPerSecond);
    const spread = `${formatRate(Math.min(...rates))}-${formatRate(Math.max(...rates))}`;
    rows.push([
      `bcrypt ceiling (cost ${c.rounds})`,
      `${c.concurrency}*`,
      formatRate(c.hashesPerSecond),
      '',
      '',
      '',
      '',
      `hashes/s, all cores${rates.length > 1 ? ` (mean of ${rates.length} measures, ${spread})` : ''}`,
    ]);
  }
  for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
    const result = report.scenarios[id];
    if (!result) continue;
    const { p50, p97_5, p99 } = result.latencyMs;
    rows.push([
      SCENARIOS[id],
      String(result.connections),
      formatRate(result.requestsPerSecond),
      formatMs(p50),
      formatMs(p97_5),
      formatMs(p99),
      String(result.errors.total),
      comparisons(report, id).join(', '),
    ]);
  }
  const lines = [
    `Gatehouse benchmark (${report.mode}): bcrypt cost ${report.settings.rounds}, ${report.settings.warmupS} s warm-up + ${measuredFor(report)} measured per scenario` +
      (report.settings.meRounds > 1 ? ` (GET /me trio: ${report.settings.meRounds} interleaved rounds)` : ''),
    `${report.machine.cpus} CPUs (${report.machine.model}), Node ${report.machine.node}, load average ${loadAverages(report.machine)}`,
    `Apps at LOG_LEVEL=${report.settings.env.LOG_LEVEL}` +
      (report.appLogMB === undefined ? '' : `: ${report.appLogMB.toFixed(0)} MB of JSON logs written (bench/results/apps.log)`),
    '',
    table(rows, new Set([1, 2, 3, 4, 5, 6])),
    ...(c
      ? [
          `* hashes in flight on ${c.threads} libuv threads, measured with the system idle` +
            (besideCeilings(report) ? '; each bcrypt-bound scenario against the mean of the measures just before and after it' : ''),
        ]
      : []),
  ];

  const bursts = [report.bursts?.register, report.bursts?.login, report.bursts?.natsRegister].filter(
    (burst): burst is BurstResult => burst !== undefined,
  );
  if (bursts.length) {
    const burstHeader = ['burst (polite clients)', 'conns', 's', 'goodput/s', 'p50 ms', 'p99 ms', 'vs ceiling', 'answers'];
    const burstRows = bursts.map((burst) => [
      burst.name,
      String(burst.connections),
      String(burst.seconds),
      formatRate(burst.goodputPerSecond),
      formatMs(burst.latencyMs.p50),
      formatMs(burst.latencyMs.p99),
      pct(ratio(burst.goodputPerSecond, ceilingOf(report, burst))),
      Object.entries(burst.statuses)
        .map(([key, count]) => `${count} × ${key}`)
        .join(', ') + (burst.orphans === undefined ? '' : `; ${burst.orphans} orphans, ${burst.missing} missing`),
    ]);
    lines.push('', table([burstHeader, burstHeader.map((cell) => '-'.repeat(cell.length)), ...burstRows], new Set([1, 2, 3, 4, 5, 6])));
  }

  lines.push('', ...natsLines(report));

  const errorLines = (Object.keys(SCENARIOS) as ScenarioId[]).flatMap((id) => {
    const errors = report.scenarios[id]?.errors;
    if (!errors || errors.total === 0) return [];
    const detail = { ...errors.byStatus, ...errors.bySocketError };
    return [`  ${SCENARIOS[id]}: ${JSON.stringify(detail)}`, ...errors.samples.map((sample) => `    ${sample}`)];
  });
  if (errorLines.length) lines.push('', 'Errors:', ...errorLines);

  const ids = (Object.keys(SCENARIOS) as ScenarioId[]).filter((id) => report.scenarios[id]?.cpuMsPerRequest);
  if (ids.length) {
    const columns = Object.keys(report.scenarios[ids[0]]!.cpuMsPerRequest!);
    const cell = (ms: number | undefined) => (ms === undefined || ms <= 0 ? '-' : ms >= 10 ? ms.toFixed(0) : ms.toFixed(2));
    const cpuRows = ids.map((id) => [SCENARIOS[id], ...columns.map((name) => cell(report.scenarios[id]!.cpuMsPerRequest![name]))]);
    lines.push('', 'CPU ms per request (whole run, warm-up included):');
    lines.push(table([['', ...columns], ...cpuRows], new Set(columns.map((_, i) => i + 1))));
  }

  const processes = Object.keys({ ...report.memory.idle, ...report.memory.end });
  const mb = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(0));
  lines.push(
    '',
    table(
      [['resident MB', 'idle', 'end'], ...processes.map((name) => [name, mb(report.memory.idle[name]), mb(report.memory.end[name])])],
      new Set([1, 2]),
    ),
  );

  lines.push('', 'Targets:');
  if (report.mode === 'quick')
    lines.push('  (a --quick run: a few bcrypt hashes per scenario, so those ratios are rough; the full run decides)');
  for (const target of report.targets) lines.push(`  ${target.met ? 'met    ' : 'NOT MET'}  ${target.label}: ${target.actual}`);
  return lines.join('\n');
}

/** Minutes apart, the machine may not be as fast: a burst's goodput as a share of the ceiling beside it. */
const shareOfCeiling = (report: Pick<BenchReport, 'ceiling'>, burst: BurstResult): number | undefined =>
  ratio(burst.goodputPerSecond, ceilingOf(report, burst));

/** The same work over NATS as over TCP, as NATS/TCP ratios (throughput, and p99 latency: above 1 is slower). */
export function natsLines(report: Pick<BenchReport, 'scenarios' | 'bursts' | 'natsSkipped' | 'ceiling'>): string[] {
  if (report.natsSkipped) return [`NATS: not measured (${report.natsSkipped})`];
  const { me, natsMe } = report.scenarios;
  const { register, natsRegister } = report.bursts ?? {};
  const times = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);
  const lines: string[] = [];
  if (me && natsMe)
    lines.push(
      `  GET /me: ${pct(ratio(natsMe.requestsPerSecond, me.requestsPerSecond))} of TCP's req/s, p99 ${times(ratio(natsMe.latencyMs.p99, me.latencyMs.p99))} TCP's`,
    );
  if (register && natsRegister)
    lines.push(
      `  burst POST /register: ${pct(ratio(shareOfCeiling(report, natsRegister), shareOfCeiling(report, register)))} of TCP's goodput (each as a share of its ceiling), p99 ${times(ratio(natsRegister.latencyMs.p99, register.latencyMs.p99))} TCP's`,
    );
  return lines.length ? ['NATS / TCP (same run, same database; a private nats-server):', ...lines] : [];
}
