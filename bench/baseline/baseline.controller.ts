import { Body, Controller, Get, Inject, Post, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { RegisterUserDto, type UserView } from '#contracts';
import bcrypt from 'bcrypt';
import type { Repository } from 'typeorm';
import { YARDSTICK_ENV } from './tokens.js';
import { BearerGuard, type AuthenticatedRequest } from './bearer.guard.js';
import { findUserView, toUserView } from '../../apps/user/src/users/user-view.js';
import { User } from '../../apps/user/src/users/user.entity.js';
import type { YardstickEnv } from '../yardstick-env.js';

/** POST /register and GET /me doing in one process what gateway + user (+ identity) do in three. */
@Controller()
export class BaselineController {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(YARDSTICK_ENV) private readonly env: YardstickEnv,
  ) {}

  @Post('register')
  async register(@Body() dto: RegisterUserDto): Promise<UserView> {
    const user = this.users.create({
      username: dto.username,
      email: dto.email ?? null,
      passwordHash: await bcrypt.hash(dto.password, this.env.bcryptRounds),
      lastLoginAt: null,
    });
    await this.users.insert(user);
    return toUserView(user);
  }

  @Get('me')
  @UseGuards(BearerGuard)
  async me(@Req() request: AuthenticatedRequest): Promise<UserView> {
    const user = await findUserView(this.users, request.userId);
    if (!user) throw new UnauthorizedException();
    return user;
  }
}
