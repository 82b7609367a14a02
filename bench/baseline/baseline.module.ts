import { Module, type DynamicModule } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { YardstickEnv } from '../yardstick-env.js';
import { BaselineController } from './baseline.controller.js';
import { BearerGuard } from './bearer.guard.js';
import { CreateBaselineUsers1763769600000 } from './create-users.migration.js';
import { YARDSTICK_ENV } from './tokens.js';
import { BaselineUser } from './user.entity.js';

@Module({})
export class BaselineModule {
  static forRoot(env: YardstickEnv): DynamicModule {
    return {
      module: BaselineModule,
      imports: [
        // The user service's pool settings (libs/common/src/database/postgres.ts).
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: env.databaseUrl,
          applicationName: 'baseline',
          entities: [BaselineUser],
          migrations: [CreateBaselineUsers1763769600000],
          migrationsRun: true,
          synchronize: false,
          extra: { max: 10, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 },
        }),
        TypeOrmModule.forFeature([BaselineUser]),
      ],
      controllers: [BaselineController],
      providers: [
        { provide: YARDSTICK_ENV, useValue: env },
        {
          provide: JwtService,
          useValue: new JwtService({
            secretOrKeyProvider: () => env.publicKey,
            verifyOptions: { algorithms: ['ES256'], issuer: env.issuer, audience: env.audience },
          }),
        },
        BearerGuard,
      ],
    };
  }
}
