import type { ClientOptions, RunTimeouts } from '../../index.js';
import { UsageError } from '../errors/UsageError.js';
import type { ParsedArgs } from '../parseArgs.js';

/** The options every long-running command accepts to bound waiting; all in seconds. */
export const LIMIT_OPTIONS = ['timeout', 'queue-timeout', 'stall-timeout', 'retry-for', 'connect-timeout'] as const;

/** Usage lines for {@link LIMIT_OPTIONS}. */
export const LIMITS_USAGE = `  --timeout SECONDS       limit per stage, counted from when it starts running   [default: none]
  --queue-timeout SECONDS limit on the wait in the server's queue                 [default: 3600]
  --stall-timeout SECONDS fail a stage that shows no progress (no event, no status
                          change) for this long                                   [default: 600]
  --retry-for SECONDS     keep retrying failed requests (server restarting, 502/503/429,
                          full queue) for this long before giving up              [default: 300]
  --connect-timeout SECONDS
                          limit on set-up (reaching the server, listing models)    [default: 60]`;

export const DEFAULT_QUEUE_TIMEOUT_S = 3600;
export const DEFAULT_STALL_TIMEOUT_S = 600;
export const DEFAULT_RETRY_FOR_S = 300;
export const DEFAULT_CONNECT_TIMEOUT_S = 60;

/** Parsed limits, in ms. */
export interface RunLimits {
  /** Per stage from its start (`timeouts.running`); undefined = none. */
  running?: number;
  queued: number;
  stalled: number;
  retryFor: number;
  connect: number;
}

/** Reads {@link LIMIT_OPTIONS} (the last of each wins). @throws UsageError */
export function parseRunLimits(args: ParsedArgs): RunLimits {
  const seconds = (name: (typeof LIMIT_OPTIONS)[number], fallback: number | undefined, min = 0): number | undefined => {
    const v = args.values.get(name)?.at(-1);
    if (v === undefined) return fallback === undefined ? undefined : fallback * 1000;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= min) throw new UsageError(`--${name} expects a number of seconds > ${min}, got '${v}'`);
    return n * 1000;
  };
  const running = seconds('timeout', undefined);
  return {
    ...(running !== undefined ? { running } : {}),
    queued: seconds('queue-timeout', DEFAULT_QUEUE_TIMEOUT_S)!,
    stalled: seconds('stall-timeout', DEFAULT_STALL_TIMEOUT_S)!,
    retryFor: seconds('retry-for', DEFAULT_RETRY_FOR_S, -1)!,
    connect: seconds('connect-timeout', DEFAULT_CONNECT_TIMEOUT_S)!,
  };
}

/**
 * The run timeouts of a stage: `--timeout` counts from the item's start, so waiting behind the
 * command's own other stages does not use it up; the queue wait and a lack of progress are
 * bounded on their own.
 */
export function runTimeouts(limits: RunLimits): RunTimeouts {
  return { queued: limits.queued, stalled: limits.stalled, ...(limits.running !== undefined ? { running: limits.running } : {}) };
}

/** The client options the limits imply: the retry budget. */
export function clientLimits(limits: RunLimits): Pick<ClientOptions, 'retry'> {
  return { retry: { for: limits.retryFor } };
}
