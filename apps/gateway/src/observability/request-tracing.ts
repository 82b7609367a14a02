import { fixedShapeLines, requestContext } from '#common/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pino from 'pino';
import { Histogram } from 'prom-client';
import type { ResponseHooks } from '../errors/framework-errors.js';

const TOKEN_PARAM = /([?&]token=)[^&]*/g;

const httpSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from request to response, by route template and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Per request, in Fastify hooks rather than Nest middleware (which costs a
 * middie layer on the hot path): the correlation id (`request.id`, see
 * `requestIdFrom`) is returned in `X-Request-Id` and made current for the
 * handler and the TCP calls it makes; the response is logged as one line and
 * observed in the latency histogram, by route template so labels stay bounded.
 * Covers answers Fastify gives before Nest too (413, malformed JSON); returns
 * what its hooks do, for the router's refusals, which no hook sees.
 */
export function traceRequests(fastify: FastifyInstance, logger: pino.Logger): ResponseHooks {
  // Nothing secret in it: the URL's token is masked below.
  const lines = fixedShapeLines(logger);
  const tag = (request: FastifyRequest, reply: FastifyReply) => void reply.header('X-Request-Id', request.id);
  const record = (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpSeconds.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    // Flat fields: under `res`, pino's standard serializer would read a real
    // response object and log `statusCode: null` for this plain one.
    lines.info(
      {
        reqId: request.id,
        method: request.method,
        // Mail links carry their token in the query; it must not reach the logs.
        url: request.url.replace(TOKEN_PARAM, '$1[redacted]'),
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    tag(request, reply);
    done();
  });
  // After the body is parsed: parsing can lose an async context entered earlier.
  fastify.addHook('preValidation', (request, _reply, done) =>
    requestContext.run(request.id, done, () => request.raw.socket?.destroyed ?? false),
  );
  fastify.addHook('onResponse', (request, reply, done) => {
    record(request, reply);
    done();
  });
  return { onRequest: tag, onResponse: record };
}
