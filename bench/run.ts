// `npm run bench`: starts Gatehouse as `npm start` does (embedded PostgreSQL in
// a fresh temporary directory, the three apps as their own processes, on free
// ports), drives it with autocannon next to its yardsticks, prints a table and
// writes bench/results/latest.{json,svg}. Exits non-zero on any error response.
// First: it sizes libuv's threadpool for the bcrypt ceiling before anything uses it.
import { APP_THREADPOOL_SIZE } from './threadpool.js';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { startEmbeddedPostgres } from '../scripts/system/embedded-postgres.js';
import { projectRoot, System } from '../scripts/system/system.js';
import { combineCeilings, measureBcryptCeiling, type CeilingResult } from './bcrypt-ceiling.js';
import { countOrphans, runBurst, type BurstResult } from './burst.js';
import { renderSvg } from './chart.js';
import { Interrupted, Lifecycle } from './lifecycle.js';
import { runOnce, summarize, type LoadSpec, type Run } from './load.js';
import { residentOf } from './memory.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { freePorts } from '../scripts/system/ports.js';
import { computeTargets, formatMs, formatRate, renderTable, SCENARIOS, totalErrors, type BenchReport, type ScenarioId } from './report.js';
import { loginRequest, meRequest, mixedRequests, RefreshChains, registerRequest } from './scenarios.js';
import { PASSWORD, Sessions } from './sessions.js';
import { cpuSeconds, postgresCpuSeconds } from './cpu.js';
import { cpuShare, settle } from './settle.js';
import { ensureRefreshTokens } from './top-up.js';
import { startYardsticks, type Yardsticks } from './yardsticks.js';
import { startNatsGatehouse } from './nats.js';
import { startSmtpSink } from './smtp-sink.js';
import { warmUp } from './warm-up.js';

const root = projectRoot();
/** The apps' standard output: their JSON logs, as a log shipper would read them. */
const APP_LOG = join(root, 'bench', 'results', 'apps.log');
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const say = (line: string) => process.stdout.write(`[${seconds(performance.now()).toFixed(1).padStart(5)} s] ${line}\n`);
const lifecycle = new Lifecycle(say);

/** The processes' output, kept for a failure report. Warnings and errors from the apps are shown as they come. */
const logs: string[] = [];
/** Once stopping, what the apps say about requests cut off is kept, not shown. */
let quiet = false;
function log(source: string, line: string): void {
  logs.push(`[${source}] ${line}`);
  if (logs.length > 2000) logs.shift();
  if (source !== 'postgres' && !quiet) process.stderr.write(`  [${source}] ${line}\n`);
}

/** Runs one step of the benchmark and notes how long it took. */
async function phase<T>(report: BenchReport, name: string, work: () => Promise<T>): Promise<T> {
  lifecycle.checkAborted();
  const start = performance.now();
  try {
    return await work();
  } finally {
    report.phasesS[name] = seconds(performance.now() - start);
  }
}

interface Running {
  system: System;
  yardsticks: Yardsticks;
  pids: Record<string, number>;
  /** CPU (in cores) the processes use between them while idle: next to nothing, unless profiled. */
  idleShare: number;
  /** PostgreSQL's data directory. */
  clusterDir: string;
  /** The user service's database, to count orphan accounts after a burst. */
  userDatabaseUrl: string;
  /** What a second system, over NATS, is started with. */
  natsOptions: Parameters<typeof startNatsGatehouse>[1];
}

async function startEverything(report: BenchReport): Promise<Running> {
  const dataDir = await lifecycle.started(
    'temporary directory',
    () => mkdtemp(join(tmpdir(), 'gatehouse-bench-')),
    (dir) => rm(dir, { recursive: true, force: true }),
  );
  const [gateway, user, identity, mail, smtpPort, pgPort, baselinePort, barePort] = await freePorts(8);
  // The mail service runs, as deployed, and delivers to a sink: registrations send verification mail.
  const smtp = await lifecycle.started(
    'smtp sink',
    () => startSmtpSink(smtpPort),
    (sink) => sink.stop(),
  );
  // The apps log at the level `npm start` uses (info): a line per request in the gateway and per message in a service.
  const appLog = await lifecycle.started(
    'app log',
    () => open(APP_LOG, 'w'),
    (file) => file.close(),
  );
  // System.start would start this same server itself; starting it here lets the yardsticks start beside the apps.
  const database = await phase(report, 'start postgres', () =>
    lifecycle.started(
      'postgres',
      () => startEmbeddedPostgres({ dir: dataDir, port: pgPort, log: (line) => log('postgres', line) }),
      (db) => db.stop(),
    ),
  );
  const { env } = report.settings;
  const [system, yardsticks] = await phase(report, 'start apps', async () => {
    const [system, yardsticks] = await Promise.allSettled([
      lifecycle.started(
        'gatehouse',
        () =>
          System.start({
            ports: { gateway, user, identity, mail },
            smtpUrl: smtp.url,
            databaseUrls: { user: database.url('user'), identity: database.url('identity') },
            dataDir,
            pgPort,
            env,
            log,
            appStdout: appLog.fd,
          }),
        (system) => system.stop(),
      ),
      lifecycle.started(
        'yardsticks',
        () =>
          startYardsticks({
            root,
            pg: { port: pgPort, dataDir },
            ports: { baseline: baselinePort, bare: barePort },
            rounds: report.settings.rounds,
            env: { UV_THREADPOOL_SIZE: APP_THREADPOOL_SIZE, ...(env.NODE_OPTIONS ? profilerEnv() : {}) },
            log,
          }),
        (y) => Promise.all([y.baseline.stop(), y.bare.stop()]),
      ),
    ]);
    if (system.status === 'rejected') throw system.reason;
    if (yardsticks.status === 'rejected') throw yardsticks.reason;
    return [system.value, yardsticks.value] as const;
  });
  const pids = {
    gateway: system.apps.gateway!.pid,
    user: system.apps.user!.pid,
    identity: system.apps.identity!.pid,
    mail: system.apps.mail!.pid,
    baseline: yardsticks.baseline.pid,
    bare: yardsticks.bare.pid,
  };
  const databaseUrls = { user: database.url('user'), identity: database.url('identity') };
  const natsOptions = { databaseUrls, dataDir, pgPort, env, appStdout: appLog.fd };
  return { system, yardsticks, pids, idleShare: 0, clusterDir: join(dataDir, 'cluster'), userDatabaseUrl: databaseUrls.user, natsOptions };
}

/** CPU seconds used so far by each process: the apps, the yardsticks, PostgreSQL and this one (autocannon). */
async function cpuReadings({ pids, clusterDir }: Running): Promise<Record<string, number>> {
  const apps = await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const));
  return { ...Object.fromEntries(apps), postgres: await postgresCpuSeconds(clusterDir), autocannon: await cpuSeconds(process.pid) };
}

async function runScenarios(report: BenchReport, options: BenchOptions, running: Running): Promise<void> {
  const { system, yardsticks, pids, idleShare } = running;
  const { scenarios } = report;
  const c = options.connections;
  const gateway = system.gatewayUrl;
  const sessions = new Sessions();
  const prefix = `b${Date.now().toString(36)}`;
  let next = 0;
  const yardstickToken = () => yardsticks.tokens[next++ % yardsticks.tokens.length];

  // Requests cut off at the end of a run are still being worked on (seconds of bcrypt), and so are the
  // ceiling's last hashes in this process: let them finish first.
  const quiesce = async (before: string) => {
    const waited = await phase(report, `settle before ${before}`, () => settle([process.pid, ...Object.values(pids)], { idleShare }));
    if (waited > 1000) say(`  (waited ${(waited / 1000).toFixed(1)} s for the system to be idle)`);
  };
  const ceilings: CeilingResult[] = [];
  const ceiling = async (which: string): Promise<CeilingResult> => {
    await quiesce(`bcrypt ceiling ${which}`);
    lifecycle.checkAborted();
    say(`bcrypt ceiling (${which}): cost ${options.rounds}, all cores, nothing else under load`);
    const measured = await phase(report, `bcrypt ceiling ${which}`, () =>
      measureBcryptCeiling({ rounds: options.rounds, ...options.ceiling }),
    );
    ceilings.push(measured);
    report.ceiling = combineCeilings(ceilings);
    say(`  ${formatRate(measured.hashesPerSecond)} hashes/s`);
    return measured;
  };
  /** The ceiling measured last, while nothing else has run since. */
  let lastCeiling: CeilingResult | undefined;
  /**
   * Runs a bcrypt-bound scenario between two measures of the ceiling, and
   * gives the mean of those two, its yardstick: a shared machine's speed
   * drifts within a run (by 6 % in run 23), and a ceiling measured minutes
   * away would move the ratio with it. A --quick run measures the ceiling once.
   */
  const besideCeilings = async <T>(name: string, work: () => Promise<T>): Promise<{ value: T; ceilingHps?: number }> => {
    if (options.quick) {
      lastCeiling ??= await ceiling('before the bcrypt-bound scenarios');
      return { value: await work() };
    }
    const before = lastCeiling ?? (await ceiling(`before ${name}`));
    lastCeiling = undefined;
    const value = await work();
    lastCeiling = await ceiling(`after ${name}`);
    return { value, ceilingHps: (before.hashesPerSecond + lastCeiling.hashesPerSecond) / 2 };
  };
  interface Scenario {
    id: ScenarioId;
    url: string;
    connections: number;
    requests: LoadSpec['requests'];
  }
  interface Part {
    run: Run;
    /** CPU seconds each process used during the run. */
    cpu: Record<string, number>;
  }
  const measure = async ({ id, url, connections, requests }: Scenario, warmupS: number, measureS: number, round = ''): Promise<Part> => {
    await quiesce(id);
    lifecycle.checkAborted();
    say(`${SCENARIOS[id]}${round}: ${connections} connections, ${warmupS} s warm-up + ${Number(measureS.toFixed(2))} s`);
    const before = await cpuReadings(running);
    const run = await phase(report, `${id}${round}`, () =>
      runOnce({ name: SCENARIOS[id], url, connections, warmupS, measureS, requests }, lifecycle.signal),
    );
    lifecycle.checkAborted();
    const after = await cpuReadings(running);
    return { run, cpu: Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - before[name]])) };
  };
  const finish = ({ id, url, connections }: Scenario, parts: Part[], named = false) => {
    const result = summarize(
      { name: SCENARIOS[id], url, connections },
      parts.map((part) => part.run),
    );
    result.cpuMsPerRequest = Object.fromEntries(
      Object.keys(parts[0].cpu).map((name) => [
        name,
        (parts.reduce((sum, part) => sum + part.cpu[name], 0) * 1000) / Math.max(1, result.responses),
      ]),
    );
    scenarios[id] = result;
    const { requestsPerSecond, latencyMs, errors } = result;
    const label = named ? `${SCENARIOS[id]}${parts.length > 1 ? `, ${parts.length} rounds` : ''}: ` : '';
    say(
      `  ${label}${formatRate(requestsPerSecond)} req/s, p50 ${formatMs(latencyMs.p50)} ms, p99 ${formatMs(latencyMs.p99)} ms, ${errors.total} errors`,
    );
    return result;
  };
  const load = async (scenario: Scenario) => finish(scenario, [await measure(scenario, options.warmupS, options.measureS)]);
  const bcryptLoad = async (scenario: Scenario) => {
    const { value, ceilingHps } = await besideCeilings(SCENARIOS[scenario.id], async () =>
      finish(scenario, [await measure(scenario, options.warmupS, options.bcryptMeasureS)]),
    );
    value.ceilingBeside = ceilingHps;
  };
  /**
   * Scenarios compared with one another, measured in turns (each gets the same
   * total time), so that a machine whose load drifts affects them alike.
   */
  const interleaved = async (list: Scenario[], rounds: number) => {
    const parts = list.map((): Part[] => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, scenario] of list.entries()) {
        const warmupS = round === 0 ? options.warmupS : Math.min(1, options.warmupS);
        const part = await measure(scenario, warmupS, options.measureS / rounds, rounds > 1 ? ` (round ${round + 1}/${rounds})` : '');
        if (rounds > 1) say(`  ${formatRate(part.run.spanMs > 0 ? part.run.counted / (part.run.spanMs / 1000) : 0)} req/s`);
        parts[i].push(part);
      }
    }
    list.forEach((scenario, i) => finish(scenario, parts[i], true));
  };

  const meComparison = () =>
    interleaved(
      [
        { id: 'me', url: gateway, connections: c.me, requests: [meRequest(() => sessions.accessToken())] },
        { id: 'baselineMe', url: yardsticks.baseline.url, connections: c.me, requests: [meRequest(yardstickToken)] },
        { id: 'bareMe', url: yardsticks.bare.url, connections: c.me, requests: [meRequest(yardstickToken)] },
      ],
      options.meRounds,
    );
  if (options.me) {
    const register: Scenario = { id: 'register', url: gateway, connections: c.bcrypt, requests: [registerRequest(`${prefix}r`, sessions)] };
    finish(register, [await measure(register, 0.5, 2)]);
    if (sessions.usernames.length === 0) throw new Error('cannot go on: POST /register created no accounts (see the errors above)');
    return meComparison();
  }

  await quiesce('warm-up');
  const warmS = options.systemWarmUpS;
  say(`warm-up: ${warmS} s of GET /me, POST /refresh and POST /password/forgot (the baseline: GET /me), not measured`);
  const warm = await phase(report, 'warm-up', () =>
    warmUp(gateway, { url: yardsticks.baseline.url, token: yardstickToken }, `${prefix}w`, warmS, lifecycle.signal),
  );
  say(`  ${warm.map((run) => run.responses).join(' and ')} responses, no errors`);

  // The bcrypt-bound scenarios, each between two measures of the ceiling (see besideCeilings).
  await bcryptLoad({ id: 'register', url: gateway, connections: c.bcrypt, requests: [registerRequest(`${prefix}r`, sessions)] });
  if (sessions.usernames.length === 0) throw new Error('cannot go on: POST /register created no accounts (see the errors above)');
  // A registration without its verification mail: all a registration did before there was mail.
  await bcryptLoad({
    id: 'registerNoEmail',
    url: gateway,
    connections: c.bcrypt,
    requests: [registerRequest(`${prefix}e`, sessions, { email: false })],
  });
  await bcryptLoad({
    id: 'baselineRegister',
    url: yardsticks.baseline.url,
    connections: c.bcrypt,
    requests: [registerRequest(`${prefix}b`)],
  });
  await bcryptLoad({ id: 'login', url: gateway, connections: c.bcrypt, requests: [loginRequest(sessions, true)] });
  const pace: Pace = { quiesce, besideCeilings };
  await bursts(report, options, running, `${prefix}u`, pace);
  // What follows is not bcrypt-bound: the burst over NATS, last, gets ceilings of its own.
  if (!options.quick) lastCeiling = undefined;
  if (options.bcrypt) return;

  await meComparison();
  await load({ id: 'mixed', url: gateway, connections: c.mixed, requests: mixedRequests(`${prefix}m`, sessions) });

  const made = await phase(report, 'refresh tokens top-up', () => ensureRefreshTokens(gateway, sessions, c.refresh));
  if (made) say(`logged in ${made} more times for enough unspent refresh tokens`);
  const chains = new RefreshChains(sessions);
  await load({ id: 'refresh', url: gateway, connections: c.refresh, requests: chains.requests() });
  chains.release();

  // Last, so that its processes idle beside none of the TCP scenarios: the same system over NATS.
  const nats = await phase(report, 'start apps over NATS', () => startNatsGatehouse(lifecycle, running.natsOptions, log));
  if (typeof nats === 'string') {
    report.natsSkipped = nats;
    say(`NATS scenarios skipped: ${nats}`);
    return;
  }
  const tcpPids = { ...pids };
  Object.assign(pids, { gateway: nats.apps.gateway!.pid, user: nats.apps.user!.pid, identity: nats.apps.identity!.pid });
  try {
    await load({ id: 'natsMe', url: nats.gatewayUrl, connections: c.me, requests: [meRequest(() => sessions.accessToken())] });
    const burst = await registerBurst(report, options, nats.gatewayUrl, running.userDatabaseUrl, `${prefix}n`, pace, 'over NATS');
    report.bursts = { ...report.bursts, natsRegister: burst.result };
  } finally {
    Object.assign(pids, tcpPids);
  }
}

/** What the bursts need of `runScenarios`: waiting for the system to be idle, and the ceilings beside a scenario. */
interface Pace {
  quiesce: (before: string) => Promise<void>;
  besideCeilings: <T>(name: string, work: () => Promise<T>) => Promise<{ value: T; ceilingHps?: number }>;
}

/** A register burst of many polite clients at once; then the accounts nobody was told about are counted. */
async function registerBurst(
  report: BenchReport,
  options: BenchOptions,
  url: string,
  userDatabaseUrl: string,
  prefix: string,
  { quiesce, besideCeilings }: Pace,
  over = '',
): Promise<{ result: BurstResult; succeeded: Iterable<string> }> {
  const { connections, seconds } = options.burst;
  const name = `burst POST /register${over ? ` ${over}` : ''}`;
  const { value: register, ceilingHps } = await besideCeilings(name, async () => {
    await quiesce(name);
    say(`${name}: ${connections} polite clients for ${seconds} s`);
    const register = await phase(report, name, () =>
      runBurst({
        name,
        url,
        connections,
        seconds,
        success: 201,
        signal: lifecycle.signal,
        next: (client, n) => {
          const username = `${prefix}${client.toString(36)}x${n.toString(36)}`;
          return { path: '/register', body: { username, password: PASSWORD }, key: username };
        },
      }),
    );
    // Requests the gateway gave up on may still be in a service: let them finish or be refused, then count.
    await quiesce(`counting orphans ${over}`.trim());
    await sleep(Number(report.settings.env.RPC_TIMEOUT_MS ?? 5000) + 500);
    Object.assign(register.result, await countOrphans(userDatabaseUrl, prefix, register.succeeded));
    return register;
  });
  register.result.ceilingBeside = ceilingHps;
  say(
    `  ${formatRate(register.result.goodputPerSecond)} 201/s; ${JSON.stringify(register.result.statuses)}; ${register.result.orphans} orphans`,
  );
  return register;
}

/** Register, then log in, with many polite clients at once; then count the accounts nobody was told about. */
async function bursts(report: BenchReport, options: BenchOptions, running: Running, prefix: string, pace: Pace): Promise<void> {
  const { connections, seconds } = options.burst;
  const url = running.system.gatewayUrl;
  const password = PASSWORD;
  const register = await registerBurst(report, options, url, running.userDatabaseUrl, prefix, pace);
  report.bursts = { register: register.result };

  const accounts = [...register.succeeded];
  if (accounts.length === 0) throw new Error('cannot go on: the register burst created no accounts');
  const { value: login, ceilingHps } = await pace.besideCeilings('burst POST /login', async () => {
    await pace.quiesce('burst login');
    say(`burst POST /login: ${connections} polite clients for ${seconds} s`);
    return phase(report, 'burst login', () =>
      runBurst({
        name: 'burst POST /login',
        url,
        connections,
        seconds,
        success: 200,
        signal: lifecycle.signal,
        next: (client, n) => ({
          path: '/login',
          body: { username: accounts[(client * 7 + n) % accounts.length], password },
          key: `${client}:${n}`,
        }),
      }),
    );
  });
  login.result.ceilingBeside = ceilingHps;
  report.bursts.login = login.result;
  say(`  ${formatRate(login.result.goodputPerSecond)} 200/s; ${JSON.stringify(login.result.statuses)}`);
}

function profilerEnv(): Record<string, string> {
  return {
    NODE_OPTIONS: `--import=${pathToFileURL(join(root, 'dist', 'bench', 'profiler.js')).href}`,
    BENCH_PROFILE_DIR: join(root, 'bench', 'results', 'profiles'),
  };
}

function newReport(options: BenchOptions): BenchReport {
  return {
    mode: options.quick ? 'quick' : options.me ? 'me' : options.bcrypt ? 'bcrypt' : 'full',
    startedAt: new Date(Date.now() - performance.now()).toISOString(),
    wallS: 0,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAtStart: loadavg() },
    settings: {
      rounds: options.rounds,
      warmupS: options.warmupS,
      measureS: options.measureS,
      bcryptMeasureS: options.bcryptMeasureS,
      meRounds: options.meRounds,
      connections: { ...options.connections },
      env: {
        AUTH_RATE_LIMIT: '0',
        // The warm-up asks for far more reset mails per account than an hour allows.
        ACCOUNT_MAIL_LIMIT: '0',
        LOG_LEVEL: 'info',
        BCRYPT_ROUNDS: String(options.rounds),
        // Not this process's (raised for the ceiling): what `npm start` gives the apps.
        UV_THREADPOOL_SIZE: APP_THREADPOOL_SIZE,
        ...(options.profile ? profilerEnv() : {}),
      },
    },
    ceiling: undefined,
    scenarios: {},
    memory: { idle: {}, end: {} },
    phasesS: {},
    targets: [],
    errors: 0,
  };
}

async function appLogTail(count: number): Promise<string[]> {
  return (await readFile(APP_LOG, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-count);
}

async function writeResults(report: BenchReport): Promise<string> {
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = report.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  await writeFile(join(dir, `${stamp}-${report.mode}.json`), json);
  // A smoke or partial run (GET /me only, bcrypt-bound only) is a step of work, not the benchmark's result.
  if (report.mode !== 'full') return join(dir, `${stamp}-${report.mode}.json`);
  await writeFile(join(dir, 'latest.json'), json);
  await writeFile(join(dir, 'latest.svg'), renderSvg(report));
  return join(dir, 'latest.json');
}

const formatMemory = (memory: Record<string, number | undefined>) =>
  Object.entries(memory)
    .map(([name, mb]) => `${name} ${mb === undefined ? 'n/a' : mb.toFixed(0)}`)
    .join(', ');

async function main(options: BenchOptions): Promise<number> {
  const report = newReport(options);
  if (report.settings.env.BENCH_PROFILE_DIR) await rm(report.settings.env.BENCH_PROFILE_DIR, { recursive: true, force: true });
  let failure: unknown;
  try {
    say('starting PostgreSQL, Gatehouse (gateway, user, identity) and the yardsticks (baseline, bare)');
    const running = await startEverything(report);
    running.idleShare = Math.min(0.5, await cpuShare(Object.values(running.pids), options.quick ? 300 : 1000));
    report.memory.idle = await residentOf(running.pids);
    say(`ready: ${running.system.gatewayUrl}; resident MB at idle: ${formatMemory(report.memory.idle)}`);
    await runScenarios(report, options, running);
    report.memory.end = await residentOf(running.pids);
    report.appLogMB = (await stat(APP_LOG)).size / 2 ** 20;
  } catch (error) {
    failure = error;
  }
  say('stopping');
  quiet = true;
  const stopStart = performance.now();
  await lifecycle.stopAll();
  report.phasesS.stop = seconds(performance.now() - stopStart);

  report.errors = totalErrors(report.scenarios);
  report.targets = computeTargets(report);
  report.wallS = seconds(performance.now());
  report.machine.loadAverageAtEnd = loadavg();
  if (failure && !(failure instanceof Interrupted)) report.failure = failure instanceof Error ? failure.message : String(failure);
  process.stdout.write(`\n${renderTable(report)}\n\nWall time ${report.wallS} s.`);
  // An interrupted run is no result: latest.json and latest.svg keep the last one.
  if (failure instanceof Interrupted) process.stdout.write(' Interrupted: no results written.\n');
  else {
    process.stdout.write(` Results: ${await writeResults(report)}\n`);
  }

  if (failure instanceof Interrupted) return 130;
  if (failure) {
    process.stderr.write(`\nThe benchmark failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
    process.stderr.write(`Last lines of the processes' output:\n${logs.slice(-40).join('\n')}\n`);
    process.stderr.write(`Last lines of the apps' logs (${APP_LOG}):\n${(await appLogTail(40)).join('\n')}\n`);
    return 1;
  }
  if (report.errors > 0) {
    process.stderr.write(`\n${report.errors} error responses or socket errors: failing the run.\n`);
    return 1;
  }
  return 0;
}

lifecycle.installSignalHandlers();
let code: number;
try {
  const options = parseOptions(process.argv.slice(2));
  code = options === 'help' ? (process.stdout.write(USAGE), 0) : await main(options);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await lifecycle.stopAll();
  code = 1;
}
process.exit(code);
