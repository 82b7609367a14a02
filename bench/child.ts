import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Starts `node <script>` as its own process and resolves once it sends
 * `{ ready: name }` over IPC (as the apps do). Output goes to `log`.
 */
export function startChild(options: { name: string; script: string; env: Record<string, string>; log: (source: string, line: string) => void }): Promise<Child> {
  const { name, script, env, log } = options;
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', (line) => log(name, line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not become ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.on('message', (message: { ready?: string }) => {
      if (message?.ready !== name) return;
      clearTimeout(timer);
      resolve({ name, pid: child.pid!, stop });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready`));
    });
  });
}
