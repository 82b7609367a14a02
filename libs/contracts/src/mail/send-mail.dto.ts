import { IsEmail, IsIn, IsISO8601, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { EMAIL_MAX_LENGTH } from '../user/register-user.dto.js';

/** The mails Gatehouse sends; the mail service owns their wording and links. */
export const MailKinds = ['email_verification', 'password_reset'] as const;
export type MailKind = (typeof MailKinds)[number];

/**
 * `mail.send`: one mail of the user service's outbox. The raw token travels
 * only here, from the outbox to the mail service, and is never logged.
 */
export class SendMailDto {
  /** The outbox record's id: a retried delivery keeps the same Message-ID. */
  @IsUUID()
  id: string;

  @IsIn(MailKinds)
  kind: MailKind;

  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsEmail()
  to: string;

  @IsString()
  @Length(1, 64)
  username: string;

  /** The single-use token the link carries (base64url). */
  @IsString()
  @Length(16, 128)
  token: string;

  /** When the token stops working (ISO 8601), for the mail's wording. */
  @IsISO8601()
  expiresAt: string;
}

/** Reply of `mail.send`, once the SMTP server accepted the message. */
export interface MailSent {
  messageId: string;
}
