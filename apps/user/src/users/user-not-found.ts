import { AppError } from '#common/errors';
import { ErrorCode } from '#contracts/errors';

/** The one answer, in every pattern, for an account that does not exist (or no longer does). */
export const userNotFound = (): AppError => new AppError(ErrorCode.UserNotFound, 'No such user');
