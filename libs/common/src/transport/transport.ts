import type { ClientOptions, MicroserviceOptions } from '@nestjs/microservices';
import type { BaseEnv } from '../config/base.env.js';
import { NatsServer, natsClientOptions, natsServerOptions } from './nats.js';
import { natsWhere } from './nats-url.js';
import { tcpClientOptions, tcpServerOptions, type TcpEndpoint } from './tcp.js';

export type TransportName = 'tcp' | 'nats';

/** What choosing a transport needs from an app's configuration (`WithTransport` in shared.env.ts). */
export type TransportEnv = BaseEnv & { TRANSPORT: TransportName; NATS_URL: string };

export interface ServiceTransport {
  options: MicroserviceOptions;
  /** Where the service can be reached, for its ready line. */
  where: string;
  /**
   * Before a graceful stop: stop receiving new messages. Under NATS the
   * subscriptions end, so the queue group's other replicas take new work;
   * under TCP there is nothing to hand over (new messages are refused with 503).
   */
  stopTaking(): Promise<void>;
}

/**
 * The one place that decides how a service listens: TCP on its host and port,
 * or NATS in a queue group named after the service. Handlers are the same.
 */
export function serviceTransport(service: string, endpoint: TcpEndpoint, env: TransportEnv): ServiceTransport {
  if (env.TRANSPORT === 'nats') {
    const server = new NatsServer(natsServerOptions(service, env.NATS_URL));
    return {
      options: { strategy: server },
      where: `${natsWhere(env.NATS_URL)} (queue group ${service})`,
      stopTaking: () => server.stopTaking(),
    };
  }
  return {
    options: tcpServerOptions(endpoint, env),
    where: `tcp://${endpoint.host}:${endpoint.port}`,
    stopTaking: () => Promise.resolve(),
  };
}

/** The caller's side of the same choice: `caller` names the connection (NATS), `endpoint` is the callee (TCP). */
export function clientTransport(caller: string, endpoint: TcpEndpoint, env: TransportEnv): ClientOptions {
  return env.TRANSPORT === 'nats' ? natsClientOptions(caller, env.NATS_URL) : tcpClientOptions(endpoint, env);
}
