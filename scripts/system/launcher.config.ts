import {
  BaseEnv,
  HttpUrl,
  Port,
  PostgresUrl,
  SmtpUrl,
  WithGatewayEndpoint,
  WithIdentityEndpoint,
  WithMailEndpoint,
  WithTransport,
  WithUserEndpoint,
} from '#common/config';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** How many processes of one service `npm start` runs: 1 to 16. */
function Replicas(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(1)(target, key);
    Max(16)(target, key);
  };
}

/** What `npm start` reads: the apps' ports (declared once, in #common/config) and where the embedded database lives. */
export class LauncherConfig extends WithTransport(WithMailEndpoint(WithIdentityEndpoint(WithUserEndpoint(WithGatewayEndpoint(BaseEnv))))) {
  /** Your own PostgreSQL: set both URLs to skip the embedded one. */
  @IsOptional()
  @PostgresUrl()
  USER_DATABASE_URL?: string;

  @IsOptional()
  @PostgresUrl()
  IDENTITY_DATABASE_URL?: string;

  /** Port of the embedded PostgreSQL (on 127.0.0.1). */
  @Port()
  EMBEDDED_PG_PORT: number = 54320;

  /** Where the embedded PostgreSQL keeps its data; default `.data/postgres` in the checkout. */
  @IsOptional()
  @IsString()
  GATEHOUSE_DATA_DIR?: string;

  /** User service replicas; more than one needs TRANSPORT=nats (TCP replicas cannot share a port). */
  @Replicas()
  USER_REPLICAS: number = 1;

  /** Identity service replicas; more than one needs TRANSPORT=nats. */
  @Replicas()
  IDENTITY_REPLICAS: number = 1;

  /** Mail service replicas; more than one needs TRANSPORT=nats. */
  @Replicas()
  MAIL_REPLICAS: number = 1;

  /** Your own SMTP server for the mail service; unset, `npm start` runs its development inbox. */
  @IsOptional()
  @SmtpUrl()
  SMTP_URL?: string;

  /** Base of the links in mails; the mail service's default is the gateway's URL. */
  @IsOptional()
  @HttpUrl()
  PUBLIC_URL?: string;

  /** The development inbox's web page and SMTP port (127.0.0.1); unset, free ones. Unused with SMTP_URL. */
  @IsOptional()
  @Port()
  DEV_INBOX_PORT?: number;

  @IsOptional()
  @Port()
  DEV_INBOX_SMTP_PORT?: number;

  /** Where the development inbox keeps its mails; default `.data/mail` in the checkout. */
  @IsOptional()
  @IsString()
  DEV_INBOX_DIR?: string;
}
