import { messageHandlerOf } from '#common/transport';
import type { IdentityMessages } from '#contracts/identity';

/** This service's side of its contract: handlers decorated with this must match it. */
export const IdentityMessage = messageHandlerOf<IdentityMessages>();
