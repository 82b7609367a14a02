import type { UserView } from '#contracts/user';
import type { User } from './user.entity.js';

/** What a user's view is made of: a `User`, or a row selected with the same names. */
export type UserViewSource = Pick<User, 'id' | 'username' | 'email' | 'emailVerifiedAt' | 'createdAt' | 'lastLoginAt'>;

/**
 * A user as every caller sees it: never the password hash. Only type imports
 * here, so that bench/bare, which runs no framework, maps its rows with it too.
 */
export function toUserView(user: UserViewSource): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
