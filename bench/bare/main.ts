// The bare limit for GET /me: node:http + pg, no framework. Same work as the
// gateway + user service: verify the ES256 access token (jsonwebtoken, as
// @nestjs/jwt does underneath), then one SELECT by primary key, a named
// statement as the user service's is, mapped by the user service's own
// toUserView (a plain function: no framework comes with it).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { toUserView, type UserViewSource } from '../../apps/user/src/users/user-view.js';
import { ACCESS_TOKEN_PATTERN, announceReady, readYardstickEnv } from '../yardstick-env.js';

const env = readYardstickEnv();
const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 10 });
const SELECT_USER = `
  SELECT id, username, email, email_verified_at AS "emailVerifiedAt", created_at AS "createdAt", last_login_at AS "lastLoginAt"
    FROM users WHERE id = $1`;

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' || req.url !== '/me') return send(res, 404, { statusCode: 404, code: 'NOT_FOUND' });
  let sub: unknown;
  try {
    const token = ACCESS_TOKEN_PATTERN.exec(req.headers.authorization ?? '')?.[1] ?? '';
    sub = (jwt.verify(token, env.publicKey, { algorithms: ['ES256'], issuer: env.issuer, audience: env.audience }) as jwt.JwtPayload).sub;
  } catch {
    return send(res, 401, { statusCode: 401, code: 'UNAUTHORIZED' });
  }
  try {
    const { rows } = await pool.query<UserViewSource>({ name: 'user-by-id', text: SELECT_USER, values: [sub] });
    if (rows.length === 0) return send(res, 401, { statusCode: 401, code: 'UNAUTHORIZED' });
    send(res, 200, toUserView(rows[0]));
  } catch {
    send(res, 503, { statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  }
}

const server = createServer((req, res) => void handle(req, res));

process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
server.listen(env.port, '127.0.0.1', () => announceReady('bare'));
