/** Machine-readable error codes: clients branch on these, never on `message`. */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  PasswordTooLong: 'PASSWORD_TOO_LONG',
  PasswordTooWeak: 'PASSWORD_TOO_WEAK',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  UsernameTaken: 'USERNAME_TAKEN',
  EmailTaken: 'EMAIL_TAKEN',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  Unauthorized: 'UNAUTHORIZED',
  InvalidRefreshToken: 'INVALID_REFRESH_TOKEN',
  RefreshTokenReused: 'REFRESH_TOKEN_REUSED',
  UserNotFound: 'USER_NOT_FOUND',
  NotFound: 'NOT_FOUND',
  RateLimited: 'RATE_LIMITED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  UpstreamTimeout: 'UPSTREAM_TIMEOUT',
  InternalError: 'INTERNAL_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
