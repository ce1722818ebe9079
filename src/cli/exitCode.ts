import type { CliIo } from './cliIo.js';
import { isUsageError } from './errors/UsageError.js';

/** How a command's run ended. */
export type CommandOutcome = { kind: 'done' } | { kind: 'interrupted' } | { kind: 'failed'; error: unknown };

/**
 * The exit code for an outcome, after writing its one-line reason to stderr: 0 done, 130
 * interrupted (the work was canceled on the server first), 2 refused (a UsageError: something the
 * command line must change, found before anything was enqueued), 1 failed.
 */
export function exitCode(io: CliIo, command: string, outcome: CommandOutcome, describe: (error: unknown) => string): number {
  if (outcome.kind === 'interrupted') {
    io.err(`invokeai-rx ${command}: interrupted; the queued and running work was canceled on the server\n`);
    return 130;
  }
  if (outcome.kind === 'failed') {
    io.err(`invokeai-rx ${command}: ${describe(outcome.error)}\n`);
    return isUsageError(outcome.error) ? 2 : 1;
  }
  return 0;
}
