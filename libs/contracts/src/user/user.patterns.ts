/** Injection token of the gateway's client for the user service. */
export const USER_SERVICE = Symbol('USER_SERVICE');

export const UserPatterns = {
  Register: 'user.register',
  VerifyCredentials: 'user.verify_credentials',
  FindById: 'user.find_by_id',
  Health: 'user.health',
} as const;

export const UserEvents = {
  LoggedIn: 'user.logged_in',
} as const;
