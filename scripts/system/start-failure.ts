import { connect } from 'node:net';
import { natsAddress } from '#common/transport';

/** Whether the first NATS server named in `url` accepts connections. */
export function natsAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(natsAddress(url).servers[0]);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 4222) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A start-up failure in words: what failed and what to do, never `undefined`.
 * Errors made by the launcher already say both; an app that exited before it
 * was ready has said why in its own log lines.
 */
export function explainStartFailure(error: unknown): string {
  if (!(error instanceof Error)) return `an unexpected failure (${String(error)}); run again with LOG_LEVEL=debug and see the lines above.`;
  if (/exited \(.*\) before it was ready/.test(error.message)) {
    return (
      `${error.message}. Its last log lines above say why; if a port is in use, stop what holds it ` +
      '(an earlier Gatehouse still stopping?) or choose other ports (GATEWAY_PORT, USER_PORT, IDENTITY_PORT).'
    );
  }
  if (/did not become ready/.test(error.message)) return `${error.message}. The machine may be overloaded; see its log lines above.`;
  return error.message;
}
