import { Module, type DynamicModule } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { migratedDataSource } from '#common/database';
import type { YardstickEnv } from '../yardstick-env.js';
import { BaselineController } from './baseline.controller.js';
import { PerRequestVerifier } from './per-request.verifier.js';
import { YARDSTICK_ENV } from './tokens.js';
import { AccessTokenGuard } from '../../apps/gateway/src/auth/access-token.guard.js';
import { AccessTokenVerifier } from '../../apps/gateway/src/auth/access-token.verifier.js';
import { userDatabaseOptions } from '../../apps/user/src/database/database.options.js';
import { User } from '../../apps/user/src/users/user.entity.js';
import { UsersRepository } from '../../apps/user/src/users/users.repository.js';

@Module({})
export class BaselineModule {
  static forRoot(env: YardstickEnv): DynamicModule {
    return {
      module: BaselineModule,
      imports: [
        // The user service's own entity, migrations and pool settings, on a database of its own.
        TypeOrmModule.forRootAsync({ useFactory: () => userDatabaseOptions(env.databaseUrl), dataSourceFactory: migratedDataSource }),
        TypeOrmModule.forFeature([User]),
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
        // The gateway's guard, verifying every token afresh (the gateway remembers the ones it verified).
        AccessTokenGuard,
        { provide: AccessTokenVerifier, useClass: PerRequestVerifier },
        UsersRepository,
      ],
    };
  }
}
