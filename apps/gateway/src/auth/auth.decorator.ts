import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { AccessClaims } from '#contracts/identity';
import { AccessTokenGuard, type AuthenticatedRequest } from './access-token.guard.js';

/** A route, or every route of a controller, behind AccessTokenGuard, and documented as taking the bearer token. */
export const Authenticated = () => applyDecorators(UseGuards(AccessTokenGuard), ApiBearerAuth());

/** The verified access-token claims of a route behind AccessTokenGuard. */
export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AccessClaims => context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
);
