import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a correlation id arrives in and is returned in. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Accepted from clients only in this shape, so a log line cannot be forged through it. */
const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

const storage = new AsyncLocalStorage<string>();

/** The correlation id of the request being handled, carried across awaits. */
export const requestContext = {
  run<T>(requestId: string, fn: () => T): T {
    return storage.run(requestId, fn);
  },
  currentId(): string | undefined {
    return storage.getStore();
  },
};

/**
 * The correlation id for an incoming HTTP request: the client's `X-Request-Id`
 * when well-formed, otherwise a new UUID. Fastify calls this once per request
 * (its `genReqId`) and keeps the result on `req.id`, where the logger and the
 * request context read it.
 */
export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : randomUUID();
}
