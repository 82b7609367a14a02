import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHealthController, loggingModule, migratedDataSource } from '#common';
import { IdentityPatterns } from '#contracts';
import { identityDatabaseOptions } from './database/database.options.js';
import { IdentityConfig } from './identity.config.js';
import { KeysController } from './keys/keys.controller.js';
import { SigningKey } from './keys/signing-key.entity.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { PublishedKeys } from './keys/published-keys.js';
import { VerificationKey } from './keys/verification-key.entity.js';
import { VerificationKeysRepository } from './keys/verification-keys.repository.js';
import { AccessTokenSigner } from './sessions/access-token.signer.js';
import { RefreshToken } from './sessions/refresh-token.entity.js';
import { Session } from './sessions/session.entity.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsService } from './sessions/sessions.service.js';

@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        loggingModule('identity', config),
        TypeOrmModule.forRootAsync({
          useFactory: () => identityDatabaseOptions(config.IDENTITY_DATABASE_URL),
          dataSourceFactory: migratedDataSource,
        }),
        TypeOrmModule.forFeature([SigningKey, VerificationKey, Session, RefreshToken]),
        JwtModule.register({}),
      ],
      controllers: [SessionsController, KeysController, DatabaseHealthController(IdentityPatterns.Health)],
      providers: [
        { provide: IdentityConfig, useValue: config },
        SigningKeysService,
        PublishedKeys,
        VerificationKeysRepository,
        SessionsService,
        SessionsRepository,
        AccessTokenSigner,
      ],
    };
  }
}
