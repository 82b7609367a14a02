import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a correlation id arrives in and is returned in. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Accepted from clients only in this shape, so a log line cannot be forged through it. */
const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

interface RequestScope {
  id: string;
  /** Whether the client has closed its connection (so nobody will read the answer). */
  clientGone?: () => boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** The request being handled, carried across awaits: its correlation id, and whether its client is still there. */
export const requestContext = {
  run<T>(requestId: string, fn: () => T, clientGone?: () => boolean): T {
    return storage.run({ id: requestId, clientGone }, fn);
  },
  currentId(): string | undefined {
    return storage.getStore()?.id;
  },
  clientGone(): boolean {
    return storage.getStore()?.clientGone?.() ?? false;
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
