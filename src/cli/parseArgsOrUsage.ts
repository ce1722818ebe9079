import type { CliIo } from './cliIo.js';

/**
 * Parses a command's arguments the way every command answers bad input and `--help`: an error is
 * written to stderr with the usage (exit code 2), `--help` writes the usage to stdout (exit code 0).
 * Resolves to the parsed arguments, or to the exit code when the command must stop here.
 */
export function parseArgsOrUsage<T extends object>(command: string, usage: string, io: CliIo, parse: () => T | 'help'): T | number {
  let args: T | 'help';
  try {
    args = parse();
  } catch (error) {
    io.err(`invokeai-rx ${command}: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args === 'help') {
    io.out(usage);
    return 0;
  }
  return args;
}
