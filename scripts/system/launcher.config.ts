import { BaseEnv, Port, PostgresUrl, WithGatewayEndpoint, WithIdentityEndpoint, WithTransport, WithUserEndpoint } from '#common';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** How many processes of one service `npm start` runs: 1 to 16. */
function Replicas(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(1)(target, key);
    Max(16)(target, key);
  };
}

/** What `npm start` reads: the apps' ports (declared once, in #common) and where the embedded database lives. */
export class LauncherConfig extends WithTransport(WithIdentityEndpoint(WithUserEndpoint(WithGatewayEndpoint(BaseEnv)))) {
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
}
