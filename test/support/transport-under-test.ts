/**
 * The transport a shared suite runs over. A suite file written for TCP (the
 * default) is re-run over NATS by a second file that sets this first and then
 * imports it: the same tests, the other transport.
 */
let extraEnv: Record<string, string> = {};

export function runOver(env: Record<string, string>): void {
  extraEnv = env;
}

export function transportEnv(): Record<string, string> {
  return extraEnv;
}
