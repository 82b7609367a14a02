import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../scripts/system/system.js';
import { freePorts } from '../../scripts/system/ports.js';
import { STRONG_PASSWORD, uniqueName } from '../support/gatehouse.js';
import { HttpClient } from '../support/http-client.js';

let dataDir: string;
let ports: Record<string, number>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-start-'));
  const [gateway, user, identity, pg, userMetrics, identityMetrics] = await freePorts(6);
  ports = { gateway, user, identity, pg, userMetrics, identityMetrics };
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` minus the build step: the launcher script itself, as its own process. */
function launch(): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist/scripts/start.js')], {
    env: {
      ...process.env,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports.gateway),
      USER_PORT: String(ports.user),
      IDENTITY_PORT: String(ports.identity),
      EMBEDDED_PG_PORT: String(ports.pg),
      USER_METRICS_PORT: String(ports.userMetrics),
      IDENTITY_METRICS_PORT: String(ports.identityMetrics),
      BCRYPT_ROUNDS: '4',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.includes('ready: http://')) resolve({ child, output });
    });
    child.once('exit', (code) => reject(new Error(`launcher exited (${code}):\n${output.join('\n')}`)));
  });
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
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' });
  return out.split('\n').map(Number).filter(Boolean);
}

describe('npm start', () => {
  it('serves, stops everything on SIGTERM, and keeps accounts across a restart', async () => {
    const http = new HttpClient(`http://127.0.0.1:${ports.gateway}`);
    const credentials = { username: uniqueName('start'), password: STRONG_PASSWORD };

    const first = await launch();
    expect(first.output.some((line) => line.startsWith('[user]'))).toBe(true);
    expect((await http.post('/register', credentials)).status).toBe(201);
    const children = childPids(first.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(4); // postgres + user + identity + gateway

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
});
