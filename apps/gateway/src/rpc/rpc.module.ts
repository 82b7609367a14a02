import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { clientTransport, stampPacket, type TcpEndpoint, type TransportEnv } from '#common/transport';
import { IDENTITY_SERVICE } from '#contracts/identity';
import { USER_SERVICE } from '#contracts/user';
import { GatewayConfig } from '../gateway.config.js';

import { IdentityClient, UserClient } from './clients.js';
import { TransportProbe } from './transport-probe.js';

function createProxy(endpoint: TcpEndpoint, env: TransportEnv): ClientProxy {
  const proxy = ClientProxyFactory.create(clientTransport('gateway', endpoint, env));
  proxy.setOnDispatchHook(stampPacket);
  return proxy;
}

/** The clients for user and identity (TCP or NATS, per TRANSPORT). They connect on first use, so the gateway starts even when a service is down. */
@Module({})
export class RpcModule implements OnApplicationShutdown {
  constructor(
    @Inject(USER_SERVICE) private readonly userProxy: ClientProxy,
    @Inject(IDENTITY_SERVICE) private readonly identityProxy: ClientProxy,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.userProxy.close(), this.identityProxy.close()]);
  }

  static forRoot(config: GatewayConfig): DynamicModule {
    const userProxy = { provide: USER_SERVICE, useFactory: () => createProxy({ host: config.USER_HOST, port: config.USER_PORT }, config) };
    const identityProxy = {
      provide: IDENTITY_SERVICE,
      useFactory: () => createProxy({ host: config.IDENTITY_HOST, port: config.IDENTITY_PORT }, config),
    };
    return {
      module: RpcModule,
      global: true,
      providers: [
        userProxy,
        identityProxy,
        {
          provide: UserClient,
          inject: [USER_SERVICE],
          useFactory: (proxy: ClientProxy) => new UserClient(proxy, 'user', config.RPC_TIMEOUT_MS),
        },
        {
          provide: TransportProbe,
          inject: [USER_SERVICE],
          useFactory: (proxy: ClientProxy) => new TransportProbe(config.TRANSPORT, proxy),
        },
        {
          provide: IdentityClient,
          inject: [IDENTITY_SERVICE],
          useFactory: (proxy: ClientProxy) => new IdentityClient(proxy, 'identity', config.RPC_TIMEOUT_MS),
        },
      ],
      exports: [UserClient, IdentityClient, TransportProbe],
    };
  }
}
