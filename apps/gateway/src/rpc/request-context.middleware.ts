import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { requestContext, requestIdFrom } from '#common';

/**
 * Makes the request's correlation id (Fastify's `req.id`, see `requestIdFrom`)
 * current for everything the request causes, TCP calls included, and returns
 * it to the client.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void {
    const requestId = req.id ?? requestIdFrom(req);
    res.setHeader('X-Request-Id', requestId);
    requestContext.run(requestId, next);
  }
}
