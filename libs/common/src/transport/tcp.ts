import { readFileSync } from 'node:fs';
import { Transport, type ClientOptions, type TcpOptions } from '@nestjs/microservices';
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
function limits(env: BaseEnv) {
  return {
    maxBufferSize: env.TCP_MAX_BUFFER_SIZE,
    incompleteMessageTimeout: env.TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS,
    maxSendBufferSize: 4 * env.TCP_MAX_BUFFER_SIZE,
  };
}

/** A service's listener; with TLS it accepts only callers with a certificate from our CA. */
export function tcpServerOptions(endpoint: TcpEndpoint, env: BaseEnv): TcpOptions {
  const tls = tlsMaterial(env);
  return {
    transport: Transport.TCP,
    options: {
      ...endpoint,
      ...limits(env),
      ...(tls && { tlsOptions: { ...tls, requestCert: true, rejectUnauthorized: true } }),
    },
  };
}

/** The gateway's client; with TLS it presents its certificate and verifies the service's. */
export function tcpClientOptions(endpoint: TcpEndpoint, env: BaseEnv): ClientOptions {
  const tls = tlsMaterial(env);
  return {
    transport: Transport.TCP,
    options: {
      ...endpoint,
      ...limits(env),
      ...(tls && { tlsOptions: { ...tls, rejectUnauthorized: true } }),
    },
  };
}
