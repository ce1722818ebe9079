import type { CliIo } from './cliIo.js';

/** Exit status of a command that ran to the end but some of its work failed (1: it could not run). */
export const EXIT_FINISHED_WITH_FAILURES = 3;

/** One unit of work (a chain, a prompt) that failed, as the summary names it. */
export interface FailureLine {
  /** e.g. `variation 2 (seed 43)` */
  what: string;
  /** The one-line reason. */
  reason: string;
}

/**
 * Writes the summary of a run that finished with failures to stderr and returns exit status 3:
 *
 * ```
 * invokeai-rx refine: finished with failures: 1 of 4 chains failed
 *   variation 2 (seed 43): upscaled: the server failed queue item 17 …
 * ```
 */
export function finishedWithFailures(io: CliIo, command: string, total: number, failures: readonly FailureLine[]): number {
  const unit = total === 1 ? 'chain' : 'chains';
  io.err(`invokeai-rx ${command}: finished with failures: ${failures.length} of ${total} ${unit} failed\n`);
  for (const f of failures) io.err(`  ${f.what}: ${f.reason}\n`);
  return EXIT_FINISHED_WITH_FAILURES;
}
