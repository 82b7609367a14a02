import { messageHandlerOf } from '#common/transport';
import type { MailMessages } from '#contracts/mail';

/** This service's side of its contract: handlers decorated with this must match it. */
export const MailMessage = messageHandlerOf<MailMessages>();
