import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Only the GET /me comparison (system, baseline, bare), after a short register for accounts. */
  me: boolean;
  /** Only the bcrypt-bound scenarios (8-connection register and login, both bursts), each between two measures of the ceiling. */
  bcrypt: boolean;
  /** Write a V8 CPU profile of every app (bench/profiler.ts) to bench/results/profiles/. */
  profile: boolean;
  /** bcrypt cost for the system, the baseline and the ceiling alike. */
  rounds: number;
  warmupS: number;
  measureS: number;
  /**
   * The 8-connection register and login scenarios are measured for longer: at
   * 9 completions a second, a 10-s window is too few of them on a shared
   * machine, where 10-s measures of the ceiling alone strayed 2.1 % (standard
   * deviation over 2 minutes) and 20-s ones 1.6 %.
   */
  bcryptMeasureS: number;
  /** GET /me on the system, the baseline and the bare limit is measured in this many interleaved rounds. */
  meRounds: number;
  ceiling: { warmupS: number; measureS: number };
  /** Seconds of bcrypt-free traffic before the bcrypt-bound scenarios, not measured (bench/warm-up.ts). */
  systemWarmUpS: number;
  /** The burst scenarios: this many polite clients at once, for this long each (register, then login). */
  burst: { connections: number; seconds: number };
  connections: {
    /** GET /me, on the system and both yardsticks. */
    me: number;
    /**
     * register and login. Enough to keep the user service's bcrypt threads
     * (libuv's 4) busy with a queue behind them, few enough that a queued
     * request stays well inside the gateway's RPC_TIMEOUT_MS (5 s) even at
     * cost 12 on a slow machine.
     */
    bcrypt: number;
    refresh: number;
    /** Mixed traffic is bcrypt-bound too (6 of 61 requests), so the same bound applies. */
    mixed: number;
  };
}

export const USAGE = `Usage: npm run bench [-- --quick] [-- --rounds N]

  --quick      a smoke run (0.5 s warm-up + 1 s per scenario), about a minute in all;
               too short for the bcrypt-bound ratios to mean much
  --rounds N   bcrypt cost (default 12, as in production)
  --profile    CPU-profile every app process (.cpuprofile files in bench/results/profiles/)
  --me         only the GET /me comparison (system, baseline, bare; full length), after a
               short register for accounts: about 1 minute, for working on the hot path
  --bcrypt     only the bcrypt-bound scenarios (register, login, both bursts), each between two
               measures of the ceiling, after the warm-up: about 4 minutes, for working on those ratios
`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      profile: { type: 'boolean', default: false },
      me: { type: 'boolean', default: false },
      bcrypt: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const rounds = values.rounds === undefined ? 12 : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 4 || rounds > 31)
    throw new Error(`--rounds must be an integer from 4 to 31, not ${values.rounds}`);
  const quick = values.quick ?? false;
  if (values.me && values.bcrypt) throw new Error('--me and --bcrypt are two different partial runs: pick one');
  return {
    quick,
    me: values.me ?? false,
    bcrypt: values.bcrypt ?? false,
    profile: values.profile ?? false,
    rounds,
    warmupS: quick ? 0.5 : 3,
    measureS: quick ? 1 : 10,
    bcryptMeasureS: quick ? 1 : 20,
    meRounds: quick ? 1 : 3,
    ceiling: quick ? { warmupS: 0.3, measureS: 1.2 } : { warmupS: 1, measureS: 6 },
    systemWarmUpS: quick ? 1 : 30,
    burst: { connections: 50, seconds: quick ? 3 : 20 },
    connections: { me: 50, bcrypt: 8, refresh: 16, mixed: 8 },
  };
}
