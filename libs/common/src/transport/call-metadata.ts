import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionContext } from '@nestjs/common';
import type { ReadPacket } from '@nestjs/microservices';
import { decodeCallMetadata, encodeCallMetadata, type CallMetadata, type WireMetadata } from '#contracts/rpc';
import { requestContext } from '../observability/request-context.js';
import { wireFromHeaders } from './nats.js';

/** The deadline of the call being dispatched; set by ServiceClient around each send. */
const callDeadline = new AsyncLocalStorage<number>();

export function withDeadline<T>(deadline: number, dispatch: () => T): T {
  return callDeadline.run(deadline, dispatch);
}

/**
 * Every outgoing packet carries the correlation id of the request being handled and the call's deadline, outside the payload.
 * TCP sends `packet.metadata` as is; under NATS the client's serializer moves it into headers.
 */
export function stampPacket(packet: ReadPacket): void {
  packet.metadata = {
    ...packet.metadata,
    ...encodeCallMetadata({ requestId: requestContext.currentId(), deadline: callDeadline.getStore() }),
  };
}

/**
 * The metadata that came with the message being handled, whatever the
 * transport: the one place a service reads its caller's correlation id and deadline.
 */
export function incomingMetadata(context: ExecutionContext): CallMetadata {
  const rpc = context
    .switchToRpc()
    .getContext<{ getMetadata?: () => WireMetadata | undefined; getHeaders?: () => Parameters<typeof wireFromHeaders>[0] } | undefined>();
  // TcpContext has packet metadata; NatsContext has message headers.
  return decodeCallMetadata(rpc?.getMetadata?.() ?? wireFromHeaders(rpc?.getHeaders?.()));
}
