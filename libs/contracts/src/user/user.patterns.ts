import type { NoPayload } from '../rpc/wire.js';
import type { ServiceHealth } from '../health/service-health.js';
import type {
  Accepted,
  ChangeEmailRequest,
  ChangePasswordRequest,
  DeleteAccountRequest,
  ForgotPasswordDto,
  ForUserDto,
  PasswordChanged,
  PasswordReset,
  ResetPasswordDto,
  VerifyEmailDto,
} from './account.dto.js';
import type { CredentialsDto } from './credentials.dto.js';
import type { FindUserDto } from './find-user.dto.js';
import type { RegisterUserRequest } from './register-user.dto.js';
import type { UserDeletedEvent, UserRegisteredEvent } from './user-lifecycle.events.js';
import type { UserLoggedInEvent } from './user-logged-in.event.js';
import type { SessionOwner, UserView } from './user.view.js';

/** Injection token of the gateway's client for the user service. */
export const USER_SERVICE = Symbol('USER_SERVICE');

export const UserPatterns = {
  Register: 'user.register',
  VerifyCredentials: 'user.verify_credentials',
  FindById: 'user.find_by_id',
  FindSessionOwner: 'user.find_session_owner',
  DiscardRegistration: 'user.discard_registration',
  Health: 'user.health',
  RequestEmailVerification: 'user.request_email_verification',
  VerifyEmail: 'user.verify_email',
  RequestPasswordReset: 'user.request_password_reset',
  ResetPassword: 'user.reset_password',
  ChangePassword: 'user.change_password',
  ChangeEmail: 'user.change_email',
  Delete: 'user.delete',
} as const;

export const UserEvents = {
  LoggedIn: 'user.logged_in',
  Registered: 'user.registered',
  Deleted: 'user.deleted',
} as const;

/** What the user service answers to each pattern. */
export type UserMessages = {
  [UserPatterns.Register]: { payload: RegisterUserRequest; reply: SessionOwner };
  [UserPatterns.VerifyCredentials]: { payload: CredentialsDto; reply: SessionOwner };
  [UserPatterns.FindById]: { payload: FindUserDto; reply: UserView };
  /** A refresh's owner check: `FindById` stays what `GET /me` needs. */
  [UserPatterns.FindSessionOwner]: { payload: FindUserDto; reply: SessionOwner };
  /** A registration whose client got no 201 (its reply lost, or no session begun) is undone: `discarded: false` if nothing was. */
  [UserPatterns.DiscardRegistration]: { payload: FindUserDto; reply: { discarded: boolean } };
  [UserPatterns.Health]: { payload: NoPayload; reply: ServiceHealth };
  [UserPatterns.RequestEmailVerification]: { payload: ForUserDto; reply: Accepted };
  [UserPatterns.VerifyEmail]: { payload: VerifyEmailDto; reply: UserView };
  [UserPatterns.RequestPasswordReset]: { payload: ForgotPasswordDto; reply: Accepted };
  [UserPatterns.ResetPassword]: { payload: ResetPasswordDto; reply: PasswordReset };
  [UserPatterns.ChangePassword]: { payload: ChangePasswordRequest; reply: PasswordChanged };
  [UserPatterns.ChangeEmail]: { payload: ChangeEmailRequest; reply: UserView };
  [UserPatterns.Delete]: { payload: DeleteAccountRequest; reply: Accepted };
};

/** The events the user service consumes. */
export type UserEventPayloads = {
  [UserEvents.LoggedIn]: UserLoggedInEvent;
};

/** The events the user service publishes, for any consumer (under NATS, anyone may subscribe). */
export type UserPublishedEvents = {
  [UserEvents.Registered]: UserRegisteredEvent;
  [UserEvents.Deleted]: UserDeletedEvent;
};
