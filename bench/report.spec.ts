import type { BurstResult } from './burst.js';
import type { LoadResult } from './load.js';
import { computeTargets, measuredFor, natsLines, renderTable, type BenchReport } from './report.js';

const run = (hashesPerSecond: number) => ({
  hashesPerSecond,
  rounds: 12,
  concurrency: 8,
  threads: 4,
  measured: 60,
  warmupS: 1,
  measureS: 6,
});

function load(requestsPerSecond: number, ceilingBeside?: number): LoadResult {
  const none = { non2xx: 0, socket: 0, byStatus: {}, bySocketError: {}, samples: [] };
  return {
    name: 'scenario',
    url: 'http://127.0.0.1',
    connections: 8,
    rounds: [{ warmupS: 3, measureS: 20 }],
    requestsPerSecond,
    measured: 100,
    latencyMs: { p50: 900, p97_5: 1000, p99: 1100, mean: 900, max: 1200 },
    errors: { ...none, total: 0 },
    responses: 100,
    ceilingBeside,
  };
}

function burst(goodputPerSecond: number, ceilingBeside?: number): BurstResult {
  return {
    name: 'burst',
    connections: 50,
    seconds: 20,
    goodputPerSecond,
    successes: 180,
    statuses: { '201': 180, '503 SERVICE_OVERLOADED': 100 },
    unexpected: 0,
    failures: 0,
    latencyMs: { p50: 4000, p99: 4400 },
    orphans: 0,
    missing: 0,
    ceilingBeside,
  };
}

/** A --bcrypt report: the run's ceilings average 9, and each result may carry the ceilings measured beside it. */
function report(beside: { register?: number; login?: number; burst?: number }): BenchReport {
  return {
    mode: 'bcrypt',
    startedAt: '2026-12-02T00:00:00.000Z',
    wallS: 250,
    machine: { cpus: 2, model: 'test', node: 'v20', loadAverageAtStart: [1, 1, 1] },
    settings: { rounds: 12, warmupS: 3, measureS: 10, bcryptMeasureS: 20, meRounds: 3, connections: { me: 50, bcrypt: 8 }, env: {} },
    ceiling: { hashesPerSecond: 9, rounds: 12, concurrency: 8, threads: 4, runs: [run(10), run(8)] },
    scenarios: { register: load(8.5, beside.register), login: load(8.5, beside.login) },
    bursts: { register: burst(8.5, beside.burst), login: burst(8.5, beside.burst) },
    memory: { idle: {}, end: {} },
    phasesS: {},
    targets: [],
    errors: 0,
  };
}

const shares = (r: BenchReport) => computeTargets(r).filter((target) => target.label.includes('ceiling'));

describe('bench report: each bcrypt-bound result against the ceilings beside it', () => {
  it("judges a result by the ceilings beside it, not by the run's mean", () => {
    // 8.5 is 94 % of the run's mean (9) but 85 % of a ceiling of 10 measured beside it, and 106 % of 8.
    const targets = shares(report({ register: 10, login: 8, burst: 10 }));
    expect(targets.map(({ met }) => met)).toEqual([false, true, false, false]);
    expect(targets[0].actual).toBe('85.0% (8.50 vs 10.0 /s)');
    expect(targets[1].actual).toBe('106.3% (8.50 vs 8.00 /s)');
  });

  it("falls back to the run's ceiling where none was measured beside (a --quick run, an older report)", () => {
    const targets = shares(report({}));
    expect(targets.every(({ met }) => met)).toBe(true);
    expect(targets[0].actual).toBe('94.4% (8.50 vs 9.00 /s)');
  });

  it('prints each yardstick in the table, and says how they were taken only when they were', () => {
    const beside = renderTable(report({ register: 10, login: 8, burst: 10 }));
    expect(beside).toMatch(/POST \/register .* 85% of bcrypt ceiling \(10\.0\)/);
    expect(beside).toContain('mean of 2 measures, 8.00-10.0');
    expect(beside).toContain('each bcrypt-bound scenario against the mean of the measures just before and after it');
    expect(beside).toContain('(8-connection register and login: 20 s)');
    const old = renderTable(report({}));
    expect(old).toMatch(/POST \/register .* 94% of bcrypt ceiling \(9\.00\)/);
    expect(old).not.toContain('just before and after it');
  });

  it('says nothing of 20-s scenarios in a --me run, which has none', () => {
    expect(measuredFor({ ...report({}), mode: 'me' })).toBe('10 s');
    expect(measuredFor({ ...report({}), settings: { ...report({}).settings, bcryptMeasureS: undefined } })).toBe('10 s');
  });

  it('compares the bursts over NATS and TCP as shares of their own ceilings', () => {
    const r = report({});
    r.bursts = { register: burst(8, 10), natsRegister: burst(8, 8) };
    // Raw goodput alike (8/s each); the NATS burst's machine was slower (8 against 10 hashes/s).
    expect(natsLines(r).join('\n')).toContain("burst POST /register: 125% of TCP's goodput (each as a share of its ceiling)");
  });
});
