import { messageHandlerOf } from '#common';
import type { IdentityMessages } from '#contracts';

/** This service's side of its contract: handlers decorated with this must match it. */
export const IdentityMessage = messageHandlerOf<IdentityMessages>();
