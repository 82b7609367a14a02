import { ConfigError } from '../config/load-config.js';

/** How the apps reach NATS: its servers, and the credentials to present. */
export interface NatsAddress {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * `NATS_URL` names one or more servers of one cluster, comma-separated, and
 * may carry credentials as the other URLs do: `nats://user:password@host:4222`,
 * or `nats://token@host:4222` (percent-encode `@ : / %` in them). nats.js reads
 * none from a URL, and would connect without them to be refused, so they are
 * taken out here and presented as options. URLs that carry credentials must
 * carry the same ones. Throws on a URL it cannot read.
 */
export function natsAddress(natsUrl: string): NatsAddress {
  let credentials: Omit<NatsAddress, 'servers'> | undefined;
  const servers = natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean)
    .map((server) => {
      const url = readUrl(server);
      if (!url.username && !url.password) return server;
      // `nats://:secret@host`, the habit from Redis URLs, names a token too.
      const given =
        url.username && url.password
          ? { user: decoded(url.username), pass: decoded(url.password) }
          : { token: decoded(url.username || url.password) };
      if (credentials && JSON.stringify(credentials) !== JSON.stringify(given)) {
        throw new Error('NATS_URL gives different credentials for different servers');
      }
      credentials = given;
      url.username = '';
      url.password = '';
      return url.toString();
    });
  return { servers, ...credentials };
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error('NATS_URL has credentials that are not percent-encoded (a % must be written %25)');
  }
}

function readUrl(server: string): URL {
  try {
    return new URL(server);
  } catch {
    throw new Error('NATS_URL must be one or more nats:// URLs, comma-separated');
  }
}

/** What is wrong with a `NATS_URL` that `natsAddress` cannot read, for the config check; undefined if nothing. */
export function natsUrlProblem(natsUrl: string): string | undefined {
  try {
    natsAddress(natsUrl);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `NATS_URL` as it may be shown or logged: its servers, without credentials. */
export function natsWhere(natsUrl: string): string {
  return natsAddress(natsUrl).servers.join(',');
}

/**
 * A NATS server's refusal of the credentials as a start-up error naming what
 * to fix (one line, like a configuration error); any other error as it is.
 */
export function explainNatsRefusal(error: unknown, natsUrl: string): unknown {
  if (!(error instanceof Error) || error.name !== 'AuthorizationError') return error;
  const { servers, ...credentials } = natsAddress(natsUrl);
  const given = Object.keys(credentials).length > 0 ? 'the credentials in NATS_URL' : 'a connection without credentials';
  return new ConfigError(
    `NATS at ${servers.join(',')} refused ${given} (${error.message}): put ones it accepts in NATS_URL (nats://user:password@host:port or nats://token@host:port)`,
  );
}
