import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';
import type { AuthResponse } from '#contracts/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { GatewayConfig } from '../gateway.config.js';

/** `__Host-`: only ever set by this host, over TLS, for the whole host (the prefix requires `Path=/`). */
export const SECURE_COOKIE = '__Host-gatehouse_refresh';
/** Development over plain http, where a browser would refuse `Secure` and so the `__Host-` prefix. */
export const DEVELOPMENT_COOKIE = 'gatehouse_refresh';

/** A register, login or refresh body; in cookie mode without `refreshToken`. */
export type AuthBody = AuthResponse | Omit<AuthResponse, 'refreshToken'>;

/**
 * The cookie mode (REFRESH_COOKIE=true): the refresh token travels in an
 * HttpOnly, SameSite=Strict cookie that page scripts cannot read, instead of
 * the JSON body. Both modes accept the token in the body of /refresh and /logout.
 */
@Injectable()
export class RefreshCookie {
  private readonly trustedOrigins: Set<string>;

  constructor(private readonly config: GatewayConfig) {
    this.trustedOrigins = new Set(config.corsOrigins);
  }

  /** In cookie mode, moves the refresh token out of the body into the cookie. */
  deliver(request: FastifyRequest, reply: FastifyReply, response: AuthResponse): AuthBody {
    if (!this.config.REFRESH_COOKIE) return response;
    const { refreshToken, ...body } = response;
    const { name, options } = this.cookieFor(request);
    void reply.setCookie(name, refreshToken, { ...options, maxAge: this.config.REFRESH_TOKEN_TTL });
    return body;
  }

  /**
   * The token a /refresh or /logout acts on: the body's, else the cookie's.
   * A cookie is sent by the browser on its own, so a request that relies on
   * it must come from a trusted origin (CSRF): CORS_ORIGINS or this gateway's own.
   */
  tokenOf(request: FastifyRequest, bodyToken: string | undefined): string {
    if (typeof bodyToken === 'string') return bodyToken;
    const cookie = this.config.REFRESH_COOKIE ? request.cookies[this.cookieFor(request).name] : undefined;
    if (!cookie) {
      const where = this.config.REFRESH_COOKIE ? 'in the body or the refresh cookie' : 'in the body';
      throw new AppError(ErrorCode.ValidationFailed, [`refreshToken must be given ${where}`]);
    }
    const origin = request.headers.origin;
    if (origin === undefined || !(this.trustedOrigins.has(origin) || origin === `${request.protocol}://${request.host}`)) {
      throw new AppError(ErrorCode.Forbidden, 'A request authenticated by the refresh cookie must come from an allowed Origin');
    }
    return cookie;
  }

  /** Logout: the browser drops the cookie (same name and attributes, expired). */
  clear(request: FastifyRequest, reply: FastifyReply): void {
    if (!this.config.REFRESH_COOKIE) return;
    const { name, options } = this.cookieFor(request);
    void reply.clearCookie(name, options);
  }

  /**
   * `Path=/` in both forms: `__Host-` requires it, and /refresh and /logout
   * share no narrower path. The gateway reads the cookie on those two routes only.
   */
  private cookieFor(request: FastifyRequest): { name: string; options: CookieSerializeOptions } {
    const plainHttpDevelopment = this.config.NODE_ENV === 'development' && request.protocol === 'http';
    return {
      name: plainHttpDevelopment ? DEVELOPMENT_COOKIE : SECURE_COOKIE,
      options: { path: '/', httpOnly: true, secure: !plainHttpDevelopment, sameSite: 'strict' },
    };
  }
}

/**
 * On the routes that sign in (register, login, refresh): hands the
 * AuthResponse a handler returns to `RefreshCookie.deliver` on its way out.
 */
@Injectable()
export class DeliverRefreshCookie implements NestInterceptor<AuthResponse, AuthBody> {
  constructor(private readonly cookie: RefreshCookie) {}

  intercept(context: ExecutionContext, next: CallHandler<AuthResponse>): Observable<AuthBody> {
    const http = context.switchToHttp();
    return next.handle().pipe(map((response) => this.cookie.deliver(http.getRequest(), http.getResponse(), response)));
  }
}
