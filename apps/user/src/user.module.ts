import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHealthController, Limits, loggingModule, migratedDataSource } from '#common';
import { UserPatterns } from '#contracts';
import { userDatabaseOptions } from './database/database.options.js';
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
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersService } from './users/users.service.js';

@Module({})
export class UserModule {
  static forRoot(config: UserConfig): DynamicModule {
    return {
      module: UserModule,
      imports: [
        loggingModule('user', config),
        TypeOrmModule.forRootAsync({
          useFactory: () => userDatabaseOptions(config.USER_DATABASE_URL),
          dataSourceFactory: migratedDataSource,
        }),
        TypeOrmModule.forFeature([User]),
      ],
      controllers: [UsersController, AccountsController, DatabaseHealthController(UserPatterns.Health)],
      providers: [
        { provide: UserConfig, useValue: config },
        { provide: Limits, useFactory: () => Limits.connect(config.REDIS_URL) },
        UsersService,
        UsersRepository,
        PasswordHasher,
        LoginThrottle,
        AccountsService,
        AccountTokensRepository,
        AccountMails,
        OutboxRepository,
        OutboxRelay,
        OutgoingProxy,
        MailClient,
        UserEventsPublisher,
      ],
    };
  }
}
