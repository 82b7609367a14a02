import { Module, type DynamicModule } from '@nestjs/common';
import { Limits } from '#common/limits';
import { microserviceModule } from '#common/service';
import { DatabaseHealthController, Purge, serviceDatabase } from '#common/database';
import { DataSource } from 'typeorm';
import { UserPatterns } from '#contracts/user';
import { userDatabaseOptions } from './database/database.options.js';
import { USER_PURGE_RULES } from './database/purge.rules.js';
import { AccountMailThrottle } from './accounts/account-mail-throttle.js';
import { AccountMails } from './accounts/account-mails.js';
import { AccountTokensRepository } from './accounts/account-tokens.repository.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsService } from './accounts/accounts.service.js';
import { MailClient, OutgoingProxy, UserEventsPublisher } from './outbox/mail.client.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { UserConfig } from './user.config.js';
import { LoginThrottle } from './users/login-throttle.js';
import { PasswordHasher } from './users/password-hasher.js';
import { UsersController } from './users/users.controller.js';
import { UserViewsLoader } from './users/user-views.loader.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersService } from './users/users.service.js';

@Module({})
export class UserModule {
  static forRoot(config: UserConfig): DynamicModule {
    return microserviceModule(UserModule, 'user', config, {
      imports: serviceDatabase(userDatabaseOptions(config.USER_DATABASE_URL)),
      controllers: [UsersController, AccountsController, DatabaseHealthController(UserPatterns.Health)],
      providers: [
        { provide: Limits, useFactory: () => Limits.connect(config.REDIS_URL) },
        { provide: Purge, useFactory: (db: DataSource) => new Purge(db, USER_PURGE_RULES, config), inject: [DataSource] },
        UsersService,
        UsersRepository,
        UserViewsLoader,
        PasswordHasher,
        LoginThrottle,
        AccountMailThrottle,
        AccountsService,
        AccountTokensRepository,
        AccountMails,
        OutboxRepository,
        OutboxRelay,
        OutgoingProxy,
        MailClient,
        UserEventsPublisher,
      ],
    });
  }
}
