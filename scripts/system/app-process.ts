import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type AppName = 'user' | 'identity' | 'mail' | 'gateway';

export interface ManagedProcess<Name extends string = string> {
  name: Name;
  /** The name in logs: the app's, or `user-2` for a second replica. */
  label: string;
  pid: number;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
}

const READY_TIMEOUT_MS = 30_000;

export type AppProcess = ManagedProcess<AppName>;

/** Starts one app from the build (`dist/apps/<name>/src/main.js`) as its own OS process. */
export function startApp(options: {
  root: string;
  name: AppName;
  label?: string;
  env: Record<string, string>;
  log: (app: string, line: string) => void;
  stdout?: number;
  readyTimeoutMs?: number;
}): Promise<AppProcess> {
  const script = join(options.root, 'dist', 'apps', options.name, 'src', 'main.js');
  return startProcess({ ...options, script });
}

/**
 * Starts `node <script>` as its own OS process and resolves when it reports
 * `{ ready: name }` over IPC, as every app does. Its output goes to `log`,
 * line by line; or its standard output straight to the open file `stdout`.
 */
export function startProcess<Name extends string>(options: {
  root: string;
  name: Name;
  label?: string;
  script: string;
  env: Record<string, string>;
  log: (source: string, line: string) => void;
  stdout?: number;
  readyTimeoutMs?: number;
}): Promise<ManagedProcess<Name>> {
  const { root, name, script, env, log } = options;
  const label = options.label ?? name;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(label, line));
  }
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not become ready within ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.on('message', (message: { ready?: string }) => {
      if (message?.ready !== name) return;
      clearTimeout(timer);
      resolve({ name, label, pid: child.pid!, exited, stop: (graceMs) => stopChild(child, exited, graceMs) });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | string>, graceMs = 10_000): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
