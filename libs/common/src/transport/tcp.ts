import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Type } from '@nestjs/common';
import { JsonSocket, Transport, type ClientOptions, type JsonSocketOptions, type TcpOptions, type TcpSocket } from '@nestjs/microservices';
import type { BaseEnv } from '../config/base.env.js';

export interface TcpEndpoint {
  host: string;
  port: number;
}

interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function tlsMaterial(env: BaseEnv): TlsMaterial | undefined {
  if (!env.TCP_TLS_CA || !env.TCP_TLS_CERT || !env.TCP_TLS_KEY) return undefined;
  return {
    ca: readFileSync(env.TCP_TLS_CA),
    cert: readFileSync(env.TCP_TLS_CERT),
    key: readFileSync(env.TCP_TLS_KEY),
  };
}

/**
 * Bounds for hostile peers: a frame may not grow past TCP_MAX_BUFFER_SIZE, a
 * peer may not stall mid-frame, and a peer that never reads its replies is
 * dropped instead of buffering without limit.
 */
function limits(env: BaseEnv): JsonSocketOptions {
  return {
    maxBufferSize: env.TCP_MAX_BUFFER_SIZE,
    incompleteMessageTimeout: env.TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS,
    maxSendBufferSize: 4 * env.TCP_MAX_BUFFER_SIZE,
  };
}

/**
 * Nest's JSON framing, with the frames written in one turn of the event loop
 * leaving in one write instead of a write (a syscall, and a wake-up of the
 * peer) each: about 6 frames per write each way under GET /me at 50
 * connections. The bounds are passed here because Nest gives them only to its
 * own JsonSocket.
 */
function coalescingJsonSocket(options: JsonSocketOptions): Type<TcpSocket> {
  return class CoalescingJsonSocket extends JsonSocket {
    constructor(socket: Socket) {
      super(socket, options);
    }

    protected override handleSend(message: unknown, callback?: (error?: unknown) => void): void {
      if (this.netSocket.writableCorked === 0) {
        this.netSocket.cork();
        // After the I/O callbacks of this turn, so the frames of every request they handled go together.
        setImmediate(() => this.netSocket.uncork());
      }
      super.handleSend(message, callback);
    }
  };
}

/** What a service's listener and the gateway's client share: framing, bounds and the TLS material. */
function socketOptions(endpoint: TcpEndpoint, env: BaseEnv) {
  return { ...endpoint, socketClass: coalescingJsonSocket(limits(env)), tls: tlsMaterial(env) };
}

/** A service's listener; with TLS it accepts only callers with a certificate from our CA. */
export function tcpServerOptions(endpoint: TcpEndpoint, env: BaseEnv): TcpOptions {
  const { tls, ...options } = socketOptions(endpoint, env);
  return {
    transport: Transport.TCP,
    options: { ...options, ...(tls && { tlsOptions: { ...tls, requestCert: true, rejectUnauthorized: true } }) },
  };
}

/** The gateway's client; with TLS it presents its certificate and verifies the service's. */
export function tcpClientOptions(endpoint: TcpEndpoint, env: BaseEnv): ClientOptions {
  const { tls, ...options } = socketOptions(endpoint, env);
  return {
    transport: Transport.TCP,
    options: { ...options, ...(tls && { tlsOptions: { ...tls, rejectUnauthorized: true } }) },
  };
}
