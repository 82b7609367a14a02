interface PgError {
  code?: string;
  constraint?: string;
  message?: string;
}

const UNIQUE_VIOLATION = '23505';
/**
 * Connection exceptions (08), operator intervention (57P), insufficient
 * resources (53), and a transaction PostgreSQL rolled back to break a
 * deadlock or a serialization conflict (40P01, 40001): all worth a retry.
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P|53|40P01$|40001$)/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/**
 * The driver's error: as thrown by pg, or inside TypeORM's QueryFailedError
 * (recognised by shape, so that the gateway, which shares this file, does not load TypeORM).
 */
function driverError(error: unknown): PgError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { driverError } = error as { driverError?: unknown };
  return typeof driverError === 'object' && driverError !== null ? (driverError as PgError) : (error as PgError);
}

/** The name of the unique constraint a failed INSERT hit, if that is why it failed. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const pg = driverError(error);
  return pg?.code === UNIQUE_VIOLATION ? pg.constraint : undefined;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const pg = driverError(error);
  if (!pg) return false;
  if (pg.code && (UNAVAILABLE_SQLSTATE.test(pg.code) || UNAVAILABLE_SOCKET.has(pg.code))) return true;
  return UNAVAILABLE_MESSAGE.test(pg.message ?? '');
}
