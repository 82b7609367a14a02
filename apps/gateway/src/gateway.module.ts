import { Module, type DynamicModule } from '@nestjs/common';
import { loggingModule } from '#common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessTokenGuard } from './auth/access-token.guard.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { JwtVerifierProvider } from './auth/jwt-verifier.provider.js';
import { PublicKeysCache } from './auth/public-keys.cache.js';
import { RefreshCookie } from './sessions/refresh-cookie.js';
import { GatewayConfig } from './gateway.config.js';
import { HealthController } from './health/health.controller.js';
import { RpcModule } from './rpc/rpc.module.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        loggingModule('gateway', config, 'http'),
        RpcModule.forRoot(config),
        TerminusModule,
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: Math.max(config.AUTH_RATE_LIMIT, 1) }],
          skipIf: () => config.AUTH_RATE_LIMIT === 0,
        }),
      ],
      controllers: [SessionsController, UsersController, HealthController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        SessionsService,
        UsersService,
        PublicKeysCache,
        JwtVerifierProvider,
        AccessTokenGuard,
        RefreshCookie,
      ],
    };
  }
}
