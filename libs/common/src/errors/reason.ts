/** What a log line says of a failure: an Error's message, or the thrown value itself. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
