import { Module, type DynamicModule } from '@nestjs/common';
import { Limits } from '#common/limits';
import { loggingModule } from '#common/observability';
import { TerminusModule } from '@nestjs/terminus';
import { AccessTokenGuard } from './auth/access-token.guard.js';
import { AccessTokenVerifier } from './auth/access-token.verifier.js';
import { AccountSessionsController } from './account-sessions/account-sessions.controller.js';
import { AccountSessionsService } from './account-sessions/account-sessions.service.js';
import { JwksController } from './auth/jwks.controller.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { JwtVerifierProvider } from './auth/jwt-verifier.provider.js';
import { PublicKeysCache } from './auth/public-keys.cache.js';
import { RefreshCookie } from './sessions/refresh-cookie.js';
import { AccountController } from './account/account.controller.js';
import { AccountService } from './account/account.service.js';
import { LinkPagesController } from './account/link-pages.controller.js';
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
      imports: [loggingModule('gateway', config), RpcModule.forRoot(config), TerminusModule],
      controllers: [
        SessionsController,
        UsersController,
        HealthController,
        AccountSessionsController,
        JwksController,
        AccountController,
        LinkPagesController,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        AccountService,
        { provide: Limits, useFactory: () => Limits.connect(config.REDIS_URL) },
        IpRateLimitGuard,
        SessionsService,
        AccountSessionsService,
        UsersService,
        PublicKeysCache,
        JwtVerifierProvider,
        AccessTokenVerifier,
        AccessTokenGuard,
        RefreshCookie,
      ],
    };
  }
}
