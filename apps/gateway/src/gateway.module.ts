import { Module, type DynamicModule } from '@nestjs/common';
import { loggingModule } from '#common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessTokenGuard } from './auth/access-token.guard.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { JwtVerifierProvider } from './auth/jwt-verifier.provider.js';
import { PublicKeysCache } from './auth/public-keys.cache.js';
import { GatewayConfig } from './gateway.config.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './observability/metrics.controller.js';
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
      controllers: [AuthController, UsersController, HealthController, MetricsController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        AuthService,
        UsersService,
        PublicKeysCache,
        JwtVerifierProvider,
        AccessTokenGuard,
      ],
    };
  }
}
