import { Module, type DynamicModule } from '@nestjs/common';
import { Limits, loggingModule } from '#common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessTokenGuard } from './auth/access-token.guard.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { JwtVerifierProvider } from './auth/jwt-verifier.provider.js';
import { PublicKeysCache } from './auth/public-keys.cache.js';
import { RefreshCookie } from './sessions/refresh-cookie.js';
import { GatewayConfig } from './gateway.config.js';
import { IpRateLimitGuard } from './security/ip-rate-limit.js';
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
      ],
      controllers: [SessionsController, UsersController, HealthController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: Limits, useFactory: () => Limits.connect(config.REDIS_URL) },
        IpRateLimitGuard,
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
