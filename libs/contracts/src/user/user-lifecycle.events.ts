/** `user.registered`: an account was created (fire-and-forget, for any consumer). */
export interface UserRegisteredEvent {
  userId: string;
  username: string;
  email: string | null;
  at: string;
}

/** `user.deleted`: an account and everything the user service held of it are gone. */
export interface UserDeletedEvent {
  userId: string;
  at: string;
}
