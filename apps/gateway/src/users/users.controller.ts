import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AccessClaims } from '#contracts/identity';
import { UserView } from '#contracts/user';
import { AccessTokenGuard } from '../auth/access-token.guard.js';
import { Auth } from '../auth/auth.decorator.js';
import { ApiErrorResponses } from '../docs/api-error-responses.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @UseGuards(AccessTokenGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserView })
  @ApiErrorResponses(401, 503, 504)
  me(@Auth() claims: AccessClaims): Promise<UserView> {
    return this.users.current(claims.sub);
  }
}
