import type { FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';

const httpSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from request to response, by route template and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Observes every response, including the ones Fastify answers before Nest
 * (413, malformed JSON). Labelled by route template, never by raw URL, so
 * the label set stays bounded.
 */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpSeconds.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });
}
