import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_FLUSH_MS } from '#common/observability';

/**
 * The apps write their log lines in batches, at most LOG_FLUSH_MS after the
 * line: wait this long before reading what should (or should not) be there.
 */
export function logsFlushed(): Promise<void> {
  return sleep(4 * LOG_FLUSH_MS);
}
