import type { NoPayload } from '../rpc/wire.js';
import type { ServiceHealth } from '../health/service-health.js';
import type { CredentialsDto } from './credentials.dto.js';
import type { FindUserDto } from './find-user.dto.js';
import type { RegisterUserDto } from './register-user.dto.js';
import type { UserLoggedInEvent } from './user-logged-in.event.js';
import type { UserView } from './user.view.js';

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

/** What the user service answers to each pattern. */
export type UserMessages = {
  [UserPatterns.Register]: { payload: RegisterUserDto; reply: UserView };
  [UserPatterns.VerifyCredentials]: { payload: CredentialsDto; reply: UserView };
  [UserPatterns.FindById]: { payload: FindUserDto; reply: UserView };
  [UserPatterns.Health]: { payload: NoPayload; reply: ServiceHealth };
};

/** The events the user service consumes. */
export type UserEventPayloads = {
  [UserEvents.LoggedIn]: UserLoggedInEvent;
};
