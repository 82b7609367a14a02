/**
 * The shape of a service's wire contract, after ts-rest and tRPC: one map per
 * service from pattern to `{ payload, reply }`, and one from event to payload.
 * Clients and handlers take their types from these maps, so a caller or a
 * handler that drifts from the contract fails to compile.
 */
export type MessageMap = Record<string, { payload: unknown; reply: unknown }>;
export type EventMap = Record<string, unknown>;

export type PayloadOf<M extends MessageMap, P extends keyof M> = M[P]['payload'];
export type ReplyOf<M extends MessageMap, P extends keyof M> = M[P]['reply'];

/** A payload-less request. */
export type NoPayload = Record<string, never>;

/** Rides beside the payload (TCP packet metadata, NATS headers), never inside it. */
export interface CallMetadata {
  /** The HTTP request's correlation id. */
  requestId?: string;
  /** When the caller stops waiting for the reply, in Unix epoch milliseconds. */
  deadline?: number;
}

/** Transports carry metadata as string pairs. */
export type WireMetadata = Record<string, string>;

export function encodeCallMetadata({ requestId, deadline }: CallMetadata): WireMetadata {
  const wire: WireMetadata = {};
  if (requestId !== undefined) wire.requestId = requestId;
  if (deadline !== undefined) wire.deadline = String(deadline);
  return wire;
}

/** Tolerant of any peer: a malformed value is treated as absent. */
export function decodeCallMetadata(wire: Partial<WireMetadata> | undefined): CallMetadata {
  // Only digits: Number('') and Number(null) would be 0, a deadline long past.
  const deadline = typeof wire?.deadline === 'string' && /^\d{1,16}$/.test(wire.deadline) ? Number(wire.deadline) : undefined;
  return {
    requestId: typeof wire?.requestId === 'string' ? wire.requestId : undefined,
    deadline,
  };
}
