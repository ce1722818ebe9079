import type * as z from 'zod/mini';
import { type WarningHandler, describeIssues, toWarningIssues } from '../client/warnings.js';

/** At most one `invalid-events` warning per this many ms (a broken stream can carry hundreds a second). @default 60000 */
export const INVALID_EVENTS_WARNING_INTERVAL = 60_000;

/**
 * Counts socket payloads that failed validation and reports them, rate-limited: the first one at
 * once, then at most one warning per `interval` summing up those seen since the last warning.
 * Returns the function to call per invalid payload.
 */
export function invalidEventWarnings(
  warn: WarningHandler,
  options: { interval?: number; now?: () => number } = {},
): (event: string, issues: readonly z.core.$ZodIssue[]) => void {
  const interval = options.interval ?? INVALID_EVENTS_WARNING_INTERVAL;
  const now = options.now ?? Date.now;
  let total = 0;
  let unreported = 0;
  let lastWarning = -Infinity;
  return (event, zodIssues) => {
    total += 1;
    unreported += 1;
    const at = now();
    if (at - lastWarning < interval) return;
    lastWarning = at;
    const issues = toWarningIssues(zodIssues);
    const count = unreported;
    unreported = 0;
    const what = count === 1 ? `a "${event}" socket event` : `${count} socket events (latest "${event}")`;
    warn({
      kind: 'invalid-events',
      event,
      count,
      total,
      issues,
      message: `dropped ${what} that failed validation (${total} in all): ${describeIssues(issues)}.`,
    });
  };
}
