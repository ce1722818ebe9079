import { processIo, type CliIo } from './cliIo.js';
import { COMMAND_TABLE, type CommandLoader } from './commandTable.js';
import { packageVersion } from './packageVersion.js';

const USAGE = `usage: invokeai-rx <command> [options]

commands:
  inputs WORKFLOW.json [--json]                 list a workflow's form inputs by index
  payload WORKFLOW.json [--set I=V]... [--json] print the enqueue_batch body (dry run)
  run WORKFLOW.json [--set I=V]... [--out DIR]  run any exported workflow once, download its outputs
  refine "PROMPT" [options]                     the multi-stage base → refine → upscale pipeline
  models [--json] [--base B] [--type T]         list the server's installed models
  clean --run-id ID [--images WHICH]            cancel a run's leftovers and delete its images on the server
  serve [--port 9090] [--models FILE]           start the InvokeAI emulator

Run 'invokeai-rx <command> --help' for a command's options.
Run 'invokeai-rx --version' (or -v) for the version of invokeai-rx.`;

/** Runs the command named by `argv[0]` from `commands`; resolves to the process exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  commands: Readonly<Record<string, CommandLoader>> = COMMAND_TABLE,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`invokeai-rx: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  const command = await load();
  return command.run(rest, io);
}
