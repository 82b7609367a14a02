import { Body, Controller, Get, Inject, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { RegisterUserDto, type UserView } from '#contracts/user';
import bcrypt from 'bcrypt';
import { YARDSTICK_ENV } from './tokens.js';
import { AccessTokenGuard, type AuthenticatedRequest } from '../../apps/gateway/src/auth/access-token.guard.js';
import { toUserView } from '../../apps/user/src/users/user-view.js';
import { UsersRepository } from '../../apps/user/src/users/users.repository.js';
import type { YardstickEnv } from '../yardstick-env.js';

/** POST /register and GET /me doing in one process what gateway + user (+ identity) do in three. */
@Controller()
export class BaselineController {
  constructor(
    private readonly users: UsersRepository,
    @Inject(YARDSTICK_ENV) private readonly env: YardstickEnv,
  ) {}

  @Post('register')
  async register(@Body() dto: RegisterUserDto): Promise<UserView> {
    const passwordHash = await bcrypt.hash(dto.password, this.env.bcryptRounds);
    return toUserView(await this.users.insert({ id: null, username: dto.username, email: dto.email ?? null, passwordHash }));
  }

  @Get('me')
  @UseGuards(AccessTokenGuard)
  async me(@Req() request: AuthenticatedRequest): Promise<UserView> {
    const user = await this.users.findViewById(request.auth.sub);
    if (!user) throw new UnauthorizedException();
    return user;
  }
}
