import { eventHandlerOf, messageHandlerOf } from '#common/transport';
import type { UserEventPayloads, UserMessages } from '#contracts/user';

/** This service's side of its contract: handlers decorated with these must match it. */
export const UserMessage = messageHandlerOf<UserMessages>();
export const UserEvent = eventHandlerOf<UserEventPayloads>();
