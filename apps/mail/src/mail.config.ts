import { BaseEnv, HttpUrl, IntIn, SmtpUrl, WithGatewayEndpoint, WithMailEndpoint, WithMetricsPort, WithTransport } from '#common/config';
import { IsOptional, IsString } from 'class-validator';

export class MailConfig extends WithTransport(WithGatewayEndpoint(WithMetricsPort('MAIL', 9103)(WithMailEndpoint(BaseEnv)))) {
  /**
   * The SMTP server mail is handed to, credentials in the URL if it needs them
   * (`smtps://user:pass@host:465`). Required: there is no default, in any NODE_ENV.
   */
  @SmtpUrl()
  SMTP_URL: string;

  /** Connecting, greeting and each SMTP reply must each take less than this, or the send fails with 503. */
  @IntIn(100, 120_000)
  SMTP_TIMEOUT_MS: number = 5_000;

  /** The From header of every mail. */
  @IsString()
  MAIL_FROM: string = 'Gatehouse <no-reply@gatehouse.invalid>';

  /** Base of the links in mails, where people open them; default the gateway's own URL. */
  @IsOptional()
  @HttpUrl()
  PUBLIC_URL?: string;

  /** PUBLIC_URL without a trailing slash, or the gateway's URL on this machine. */
  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://127.0.0.1:${this.GATEWAY_PORT}`).replace(/\/+$/, '');
  }
}
