import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DEVELOPMENT_COOKIE, SECURE_COOKIE } from '../sessions/refresh-cookie.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json, built from the DTOs the code validates with. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription(
      'User registration and identity. Errors: `{ statusCode, error, code, message }`; branch on `code`.\n\n' +
        'Browsers: origins in `CORS_ORIGINS` may call the API with credentials. With `REFRESH_COOKIE=true`, ' +
        'register, login and refresh set the refresh token as an HttpOnly, SameSite=Strict cookie ' +
        `(\`${SECURE_COOKIE}\`; \`${DEVELOPMENT_COOKIE}\` without \`Secure\` in development over http) instead of returning it, ` +
        'and /refresh and /logout use the cookie when the body has no `refreshToken`; such a request must carry an ' +
        "`Origin` from `CORS_ORIGINS` or this gateway's own, else 403 `FORBIDDEN`.",
    )
    .setVersion('1')
    .addBearerAuth()
    .addCookieAuth(SECURE_COOKIE)
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs-json' });
}
