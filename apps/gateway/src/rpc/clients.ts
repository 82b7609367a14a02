import { ServiceClient } from '#common';
import type { IdentityEventPayloads, IdentityMessages, UserEventPayloads, UserMessages } from '#contracts';

/** Typed handles so controllers and services inject `UserClient`, not a string token. */
export class UserClient extends ServiceClient<UserMessages, UserEventPayloads> {}
export class IdentityClient extends ServiceClient<IdentityMessages, IdentityEventPayloads> {}
