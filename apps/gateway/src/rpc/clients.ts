import { ServiceClient } from '#common/transport';
import type { IdentityEventPayloads, IdentityMessages } from '#contracts/identity';
import type { UserEventPayloads, UserMessages } from '#contracts/user';

/** Typed handles so controllers and services inject `UserClient`, not a string token. */
export class UserClient extends ServiceClient<UserMessages, UserEventPayloads> {}
export class IdentityClient extends ServiceClient<IdentityMessages, IdentityEventPayloads> {}
