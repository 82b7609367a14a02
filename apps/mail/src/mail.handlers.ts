import { messageHandlerOf } from '#common';
import type { MailMessages } from '#contracts';

/** This service's side of its contract: handlers decorated with this must match it. */
export const MailMessage = messageHandlerOf<MailMessages>();
