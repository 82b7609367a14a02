import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';

/** A call on behalf of a token's user: a token whose account is gone is no longer a valid token (401). */
export async function asOwner<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.UserNotFound) throw AppError.unauthorized('The account no longer exists');
    throw error;
  }
}
