import { headers as natsHeaders, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ServerNats, Transport, type ClientOptions, type NatsOptions, type ReadPacket } from '@nestjs/microservices';
import type { WireMetadata } from '#contracts/rpc';
import { natsAddress } from './nats-url.js';

/**
 * Nest's NATS client would put `packet.metadata` (where `stampPacket` writes
 * the correlation id and deadline) into the JSON body, where no server-side
 * context can read it. This serializer moves it into NATS headers, which
 * `NatsContext#getHeaders()` exposes to `incomingMetadata`.
 */
export class MetadataHeadersSerializer {
  serialize(packet: ReadPacket & { id?: string; metadata?: WireMetadata }): { data: string; headers?: MsgHdrs } {
    const { metadata, ...rest } = packet;
    const entries = Object.entries(metadata ?? {});
    if (entries.length === 0) return { data: JSON.stringify(rest) };
    const headers = natsHeaders();
    for (const [key, value] of entries) headers.set(key, value);
    return { data: JSON.stringify(rest), headers };
  }
}

/** NATS headers as the string pairs `decodeCallMetadata` reads. */
export function wireFromHeaders(headers: MsgHdrs | undefined): WireMetadata | undefined {
  if (!headers || typeof headers.keys !== 'function') return undefined;
  return Object.fromEntries(headers.keys().map((key) => [key, headers.get(key)]));
}

/**
 * Nest's NATS server, plus a way to stop taking messages before a graceful
 * stop: its subscriptions end and the NATS server has seen that (a flush is a
 * round trip), so new requests go to the other replicas of the queue group
 * while this one finishes what it already has.
 */
export class NatsServer extends ServerNats {
  async stopTaking(): Promise<void> {
    const self = this as unknown as { subscriptions: Subscription[]; natsClient?: NatsConnection | null };
    for (const subscription of self.subscriptions) subscription.unsubscribe();
    await self.natsClient?.flush();
  }
}

/** A service on NATS: every pattern subscribed in the queue group named after the service, so one replica handles each message. */
export function natsServerOptions(service: string, natsUrl: string): NonNullable<NatsOptions['options']> {
  return {
    ...natsAddress(natsUrl),
    queue: service,
    name: service,
    // Keep trying: a NATS server that restarts must not take the service down with it.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
}

/** The caller's side: headers for metadata, and a client that keeps reconnecting. */
export function natsClientOptions(caller: string, natsUrl: string): ClientOptions {
  return {
    transport: Transport.NATS,
    options: {
      ...natsAddress(natsUrl),
      name: caller,
      serializer: new MetadataHeadersSerializer(),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    },
  };
}
