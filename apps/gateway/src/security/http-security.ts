import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { LINK_PAGE_PATHS } from '../account/link-pages.controller.js';
import type { ResponseHooks } from '../errors/framework-errors.js';
import type { GatewayConfig } from '../gateway.config.js';

/** JSON needs nothing: no scripts, styles, frames or forms. */
const API_CSP: HelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};

/** Swagger UI: its own scripts and styles (it sets inline style attributes), data: icons, calls to this origin. */
const DOCS_CSP: HelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
  },
};

/** The mail links' pages: their one script, calls to this origin, nothing else. */
const LINK_PAGE_CSP: HelmetOptions['contentSecurityPolicy'] = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every route when it is added (see below). */
    securityHeaders?: Record<string, string>;
  }
}

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Helmet's headers for a policy, worked out once: they depend on nothing in
 * the request. (@fastify/helmet builds helmet anew on every request, which
 * cost 6 % of the gateway's CPU on GET /me.) HSTS is sent separately, only
 * on responses that went out over TLS.
 */
function securityHeaders(contentSecurityPolicy: HelmetOptions['contentSecurityPolicy']): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (headers[name] = value), removeHeader: () => {} };
  helmet({ contentSecurityPolicy, strictTransportSecurity: false })({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * What a public, browser-facing gateway needs before any route is added
 * (the Swagger routes included, which take the looser docs policy):
 * CORS for the CORS_ORIGINS allowlist only, security headers, cookie
 * parsing, and no caching of any response. Returns what its hook does to
 * each answer, for the answers Fastify gives before hooks run.
 */
export async function secureHttp(app: NestFastifyApplication, config: GatewayConfig): Promise<ResponseHooks> {
  const allowed = new Set(config.corsOrigins);
  await app.register(fastifyCors, {
    // `false` for any other origin (or none): no CORS header at all, and a preflight gets 404.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    // WWW-Authenticate: a page may read why its token was refused.
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  });
  await app.register(fastifyCookie);

  const apiHeaders = securityHeaders(API_CSP);
  const docsHeaders = securityHeaders(DOCS_CSP);
  const linkPageHeaders = securityHeaders(LINK_PAGE_CSP);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    const isLinkPage = route.method === 'GET' && LINK_PAGE_PATHS.includes(route.url);
    const headers = route.url.startsWith('/docs') ? docsHeaders : isLinkPage ? linkPageHeaders : apiHeaders;
    route.config = { ...route.config, securityHeaders: headers };
  });
  // Tokens and personal data must not be kept by browsers or proxies (RFC 6749 §5.1); nothing here is worth caching.
  const protect = (request: FastifyRequest, reply: FastifyReply) => {
    // Answers with no route (404) take the API's headers.
    void reply.headers(request.routeOptions.config.securityHeaders ?? apiHeaders);
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    // `protocol` follows X-Forwarded-Proto only from a trusted proxy (TRUST_PROXY).
    if (request.protocol === 'https') void reply.header('Strict-Transport-Security', HSTS);
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    protect(request, reply);
    done();
  });
  return { onRequest: protect };
}
