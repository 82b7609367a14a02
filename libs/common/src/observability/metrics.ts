import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, register } from 'prom-client';

/**
 * How often the event-loop delay histogram samples. prom-client's 10 ms wakes
 * every process 100 times a second, idle or not; on two cores shared with
 * bcrypt's threads those wakeups were measurable in the bcrypt-bound
 * scenarios. A stall still shows: it delays the sample it overlaps.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Process metrics (CPU, memory, event loop lag, GC) for this app, in prom-client's default registry. */
export function collectProcessMetrics(app: string): void {
  collectDefaultMetrics({ labels: { app }, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}

/**
 * A microservice's metrics on a small HTTP port of its own, for Prometheus to
 * scrape: the TCP port speaks only Nest's framing. `port` 0 turns it off.
 */
export async function serveMetrics(host: string, port: number): Promise<Server | undefined> {
  if (port === 0) return undefined;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsText().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
