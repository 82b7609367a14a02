import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessClaims } from '#contracts';
import type { AuthenticatedRequest } from './access-token.guard.js';

/** The verified access-token claims of a route behind AccessTokenGuard. */
export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AccessClaims => context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
);
