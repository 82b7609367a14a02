import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { loggingModule } from '#common';
import { userDatabaseOptions } from './database/database.options.js';
import { HealthController } from './health/health.controller.js';
import { UserConfig } from './user.config.js';
import { LoginThrottle } from './users/login-throttle.js';
import { PasswordHasher } from './users/password-hasher.js';
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

@Module({})
export class UserModule {
  static forRoot(config: UserConfig): DynamicModule {
    return {
      module: UserModule,
      imports: [
        loggingModule('user', config, 'microservice'),
        TypeOrmModule.forRoot(userDatabaseOptions(config.USER_DATABASE_URL)),
        TypeOrmModule.forFeature([User]),
      ],
      controllers: [UsersController, HealthController],
      providers: [{ provide: UserConfig, useValue: config }, UsersService, PasswordHasher, LoginThrottle],
    };
  }
}
