import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { microserviceModule } from '#common/service';
import { DatabaseHealthController, Purge, serviceDatabase } from '#common/database';
import { IdentityPatterns } from '#contracts/identity';
import { DataSource } from 'typeorm';
import { identityDatabaseOptions } from './database/database.options.js';
import { identityPurgeRules } from './database/purge.rules.js';
import { IdentityConfig } from './identity.config.js';
import { KeysController } from './keys/keys.controller.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { PublishedKeys } from './keys/published-keys.js';
import { VerificationKeysRepository } from './keys/verification-keys.repository.js';
import { AccessTokenSigner } from './sessions/access-token.signer.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsService } from './sessions/sessions.service.js';

@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return microserviceModule(IdentityModule, 'identity', config, {
      imports: [...serviceDatabase(identityDatabaseOptions(config.IDENTITY_DATABASE_URL)), JwtModule.register({})],
      controllers: [SessionsController, KeysController, DatabaseHealthController(IdentityPatterns.Health)],
      providers: [
        SigningKeysService,
        PublishedKeys,
        VerificationKeysRepository,
        SessionsService,
        SessionsRepository,
        AccessTokenSigner,
        {
          provide: Purge,
          useFactory: (db: DataSource) => new Purge(db, identityPurgeRules(config.REFRESH_TOKEN_TTL), config),
          inject: [DataSource],
        },
      ],
    });
  }
}
