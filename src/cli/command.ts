import type { CliIo } from './cliIo.js';

/** One `invokeai-rx` sub-command. `run` resolves to the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
