import type { CliCommand } from './command.js';

/**
 * Each command lives in its own module, loaded only when it is run, so `inputs` and `payload`
 * never pay for the emulator or the pipeline.
 */
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  inputs: () => import('./commands/inputs.js').then((m) => m.inputsCommand),
  payload: () => import('./commands/payload.js').then((m) => m.payloadCommand),
  serve: () => import('./commands/serve.js').then((m) => m.serveCommand),
  run: () => import('./commands/run.js').then((m) => m.runCommand),
  refine: () => import('./commands/refine.js').then((m) => m.refineCommand),
};

const USAGE = `usage: invokeai-rx <command> [options]

commands:
  inputs WORKFLOW.json [--json]                 list a workflow's form inputs by index
  payload WORKFLOW.json [--set I=V]... [--json] print the enqueue_batch body (dry run)
  run WORKFLOW.json [--set I=V]... [--out DIR]  run any exported workflow once, download its outputs
  refine "PROMPT" [options]                     the multi-stage base → refine → upscale pipeline
  serve [--port 9090]                           start the InvokeAI emulator

Run 'invokeai-rx <command> --help' for a command's options.`;

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE + '\n');
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`invokeai-rx: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  const command = await load();
  return command.run(rest, io);
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (live progress bars vs plain lines). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}
