import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../scripts/system/system.js';
import { freePorts } from '../../scripts/system/ports.js';
import { STRONG_PASSWORD, uniqueName } from '../support/gatehouse.js';
import { HttpClient } from '../support/http-client.js';
import { callPattern } from '../support/tcp-peer.js';
import { until } from '../support/until.js';

let dataDir: string;
let ports: Record<string, number>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-start-'));
  const [gateway, user, identity, mail, pg, gatewayMetrics, userMetrics, identityMetrics, mailMetrics] = await freePorts(9);
  ports = { gateway, user, identity, mail, pg, gatewayMetrics, userMetrics, identityMetrics, mailMetrics };
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The launcher script itself, as its own process: `npm start` minus the build step. */
const LAUNCHER: [string, string[]] = [process.execPath, [join(projectRoot(), 'dist/scripts/start.js')]];

function launch(extraEnv: Record<string, string> = {}, [command, args] = LAUNCHER): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(command, args, {
    cwd: projectRoot(),
    env: { ...process.env, ...launcherEnv(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.includes('ready: http://')) resolve({ child, output });
    });
    child.once('exit', (code) => reject(new Error(`launcher exited (${code}):\n${output.join('\n')}`)));
  });
}

/** The launcher's settings for this suite: its own data directory and free ports. */
function launcherEnv(): Record<string, string> {
  return {
    GATEHOUSE_DATA_DIR: dataDir,
    GATEWAY_PORT: String(ports.gateway),
    USER_PORT: String(ports.user),
    IDENTITY_PORT: String(ports.identity),
    MAIL_PORT: String(ports.mail),
    DEV_INBOX_DIR: join(dataDir, 'mail'),
    EMBEDDED_PG_PORT: String(ports.pg),
    GATEWAY_METRICS_PORT: String(ports.gatewayMetrics),
    USER_METRICS_PORT: String(ports.userMetrics),
    IDENTITY_METRICS_PORT: String(ports.identityMetrics),
    MAIL_METRICS_PORT: String(ports.mailMetrics),
    BCRYPT_ROUNDS: '4',
  };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function childPids(parent: number): number[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' });
    return out.split('\n').map(Number).filter(Boolean);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

/** Every process below `root`, from one `ps` snapshot. */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const below = (parent: number): number[] => rows.filter(([, ppid]) => ppid === parent).flatMap(([pid]) => [pid, ...below(pid)]);
  return below(root);
}

describe('npm start', () => {
  it('serves, stops everything on SIGTERM, and keeps accounts across a restart', async () => {
    const http = new HttpClient(`http://127.0.0.1:${ports.gateway}`);
    const credentials = { username: uniqueName('start'), password: STRONG_PASSWORD };

    const first = await launch();
    expect(first.output.some((line) => line.startsWith('[user]'))).toBe(true);
    expect((await http.post('/register', credentials)).status).toBe(201);
    const children = childPids(first.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(5); // postgres + user + identity + mail + gateway

    const exited = new Promise((resolve) => first.child.once('exit', (code) => resolve(code)));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of children) expect(isRunning(pid)).toBe(false);

    const second = await launch();
    try {
      expect((await http.post('/login', credentials)).status).toBe(200);
    } finally {
      const again = new Promise((resolve) => second.child.once('exit', resolve));
      second.child.kill('SIGINT');
      await again;
    }
  });

  it('stops everything it had started when SIGTERM comes while the apps are still starting', async () => {
    const child = spawn(...LAUNCHER, { cwd: projectRoot(), env: { ...process.env, ...launcherEnv() }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until('the user service to be starting', () => appPid(child.pid!, 'user'), 60_000);
      const tree = descendants(child.pid!);
      expect(tree.length).toBeGreaterThanOrEqual(2); // postgres and at least one app

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(tree.filter(isRunning)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('stops everything when SIGTERM goes to npm itself, as `kill <pid of npm start>` or a process manager sends it', async () => {
    // npm forwards the signal to the script's shell only: unless the shell has exec'd the launcher,
    // the shell dies alone and the launcher, the apps and the database run on, orphaned.
    const npm = await launch({}, ['npm', ['start', '--silent']]);
    const tree = descendants(npm.child.pid!);
    // `node dist/scripts/start.js`, not the shell whose one argument merely contains that path.
    const launcher = tree.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('dist/scripts/start.js'));
    expect(tree.length).toBeGreaterThanOrEqual(6); // launcher + postgres + user + identity + mail + gateway
    try {
      const exited = new Promise((resolve) => npm.child.once('exit', (code, signal) => resolve(signal ?? code)));
      npm.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(tree.filter(isRunning)).toEqual([]);
    } finally {
      if (launcher && isRunning(launcher)) {
        process.kill(launcher, 'SIGTERM');
        for (const end = Date.now() + 15_000; isRunning(launcher) && Date.now() < end;) await sleep(100);
      }
    }
  });
});

/** The development inbox's web URL, from the launcher's ready line. */
function inboxUrl(output: string[]): string | undefined {
  return output.map((line) => /mail inbox: (http:\/\/\S+?);/.exec(line)?.[1]).find(Boolean);
}

describe('npm start without SMTP_URL', () => {
  it('runs the mail service against a development inbox whose web page answers and keeps mail across a restart', async () => {
    const mail = {
      id: randomUUID(),
      kind: 'email_verification',
      to: 'newcomer@example.com',
      username: 'newcomer',
      token: 'launcher-token-0123456789',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const first = await launch();
    try {
      expect(appPid(first.child.pid!, 'mail')).toBeDefined();
      const url = inboxUrl(first.output)!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // As a browser asks for it: MailDev answers only HTML requests with its page.
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      expect((await callPattern(ports.mail, 'mail.send', mail)).response).toEqual({ messageId: `<${mail.id}@gatehouse>` });
      expect(await inboxHolds(url, mail.token)).toBe(true);
    } finally {
      await stopLauncher(first.child);
    }
    const second = await launch();
    try {
      expect(await inboxHolds(inboxUrl(second.output)!, mail.token)).toBe(true);
    } finally {
      await stopLauncher(second.child);
    }
  });
});

/** Whether MailDev's REST API lists a mail whose text contains `needle`. */
async function inboxHolds(url: string, needle: string): Promise<boolean> {
  const mails = (await (await fetch(`${url}/api/email`)).json()) as Array<{ text?: string }>;
  return mails.some((m) => m.text?.includes(needle));
}

/** The launcher's child running `apps/<app>`, from its command line. */
function appPid(launcher: number, app: string): number | undefined {
  return childPids(launcher).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`apps/${app}/src/main.js`);
    } catch {
      return false;
    }
  });
}

async function stopLauncher(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

describe('npm start heals', () => {
  it('restarts a SIGKILLed user service (logged, with backoff) and serves registrations again without Ctrl-C', async () => {
    const http = new HttpClient(`http://127.0.0.1:${ports.gateway}`);
    const launched = await launch();
    try {
      const before = appPid(launched.child.pid!, 'user')!;
      expect(before).toBeDefined();
      process.kill(before, 'SIGKILL');
      await until('the restart', () => launched.output.find((line) => /user restarted \(pid \d+\)/.test(line)));
      expect(launched.output.some((line) => /user exited \(SIGKILL\); restarting it in \d+ ms/.test(line))).toBe(true);
      expect(appPid(launched.child.pid!, 'user')).not.toBe(before);
      const registered = await until('a registration', async () => {
        const res = await http.post('/register', { username: uniqueName('heal'), password: STRONG_PASSWORD });
        return res.status === 201 ? res : undefined;
      });
      expect(registered.status).toBe(201);
      expect(launched.child.exitCode).toBeNull();
    } finally {
      await stopLauncher(launched.child);
    }
  });

  it('comes up again after kill -9 of the launcher, stopping the PostgreSQL it left behind, with the accounts made before', async () => {
    const http = new HttpClient(`http://127.0.0.1:${ports.gateway}`);
    const credentials = { username: uniqueName('k9'), password: STRONG_PASSWORD };
    const first = await launch();
    expect((await http.post('/register', credentials)).status).toBe(201);
    const apps = ['gateway', 'user', 'identity', 'mail'].map((app) => appPid(first.child.pid!, app)!);
    const postgres = childPids(first.child.pid!).find((pid) => !apps.includes(pid))!;

    first.child.kill('SIGKILL');
    // The apps notice their launcher is gone and stop; PostgreSQL does not: it is what the next start must handle.
    await until('the apps to exit', () => apps.every((pid) => !isRunning(pid)));
    expect(isRunning(postgres)).toBe(true);

    const second = await launch();
    try {
      expect(second.output.some((line) => line.includes('still running') && line.includes('stopping it first'))).toBe(true);
      expect(isRunning(postgres)).toBe(false);
      expect((await http.post('/login', credentials)).status).toBe(200);
    } finally {
      await stopLauncher(second.child);
    }
  });
});
