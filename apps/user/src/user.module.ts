import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHealthController, loggingModule, migratedDataSource } from '#common';
import { UserPatterns } from '#contracts';
import { userDatabaseOptions } from './database/database.options.js';
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
        loggingModule('user', config, 'microservice'),
        TypeOrmModule.forRootAsync({
          useFactory: () => userDatabaseOptions(config.USER_DATABASE_URL),
          dataSourceFactory: migratedDataSource,
        }),
        TypeOrmModule.forFeature([User]),
      ],
      controllers: [UsersController, DatabaseHealthController(UserPatterns.Health)],
      providers: [{ provide: UserConfig, useValue: config }, UsersService, UsersRepository, PasswordHasher, LoginThrottle],
    };
  }
}
