/** Reply of `user.health` and `identity.health`; the gateway's /health aggregates them. */
export interface ServiceHealth {
  database: 'up';
  migrations: 'applied';
}
