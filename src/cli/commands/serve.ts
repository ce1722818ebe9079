import { resolve } from 'node:path';
import type { EmulatorOptions, EmulatorUser } from '../../emulator/index.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { UsageError } from '../errors/UsageError.js';
import { readModelsFile } from '../models/readModelsFile.js';
import { parseArgs } from '../parseArgs.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';

const USAGE = `usage: invokeai-rx serve [options]

Starts the InvokeAI emulator on 127.0.0.1 and runs until interrupted (Ctrl-C / SIGTERM).

options:
  --port N              TCP port (0 = any free port)                       [default: 9090]
  --base-path /PATH     serve every route and socket.io under this sub-path
  --ms-per-step N       simulated milliseconds per denoise step / unit     [default: 0]
  --ms-per-node N       simulated milliseconds per node                    [default: 0]
  --max-queue-size N    pending items beyond this are not enqueued         [default: 10000]
  --token-users LIST    multi-user mode: EMAIL:PASSWORD[:admin], comma-separated or repeated
  --progress-images     denoisers send preview images with progress events
  --allow-origins LIST  origins of web pages elsewhere that may call the server (InvokeAI's
                        allow_origins), e.g. http://localhost:5173; comma-separated or
                        repeated, * for any                                [default: none]
  --static DIR          serve the web app in DIR from the server's own origin (/ = index.html)
  --models FILE         the installed models: a JSON list as 'invokeai-rx models --json' prints
                        (from a real server, to mirror its install)        [default: a built-in set]
`;

const VALUE_OPTIONS = ['port', 'base-path', 'ms-per-step', 'ms-per-node', 'max-queue-size', 'token-users', 'allow-origins', 'static', 'models'];
/** The flag that sets each emulator option, to name it in errors. */
const FLAG_OF: Record<string, string> = { allowOrigins: '--allow-origins', staticDir: '--static' };

function intOption(values: Map<string, string[]>, name: string, min: number): number | undefined {
  const v = values.get(name)?.at(-1);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} expects an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

/** `EMAIL:PASSWORD[:admin]` items → users. */
export function parseTokenUsers(specs: readonly string[]): EmulatorUser[] {
  return specs
    .flatMap((s) => s.split(','))
    .filter((s) => s.trim() !== '')
    .map((spec) => {
      const [email, password, role, ...rest] = spec.trim().split(':');
      if (!email || !password || rest.length > 0 || (role !== undefined && role !== 'admin' && role !== 'user'))
        throw new UsageError(`--token-users expects EMAIL:PASSWORD[:admin], got '${spec}'`);
      return { email, password, is_admin: role === 'admin' };
    });
}

/** Parses `serve` arguments into emulator options (throws {@link UsageError}). */
export function serveOptions(argv: readonly string[], cwd: string = process.cwd()): EmulatorOptions | 'help' {
  const args = parseArgs(argv, { flags: ['help', 'progress-images'], repeatable: VALUE_OPTIONS });
  if (args.flags.has('help')) return 'help';
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const users = parseTokenUsers(args.values.get('token-users') ?? []);
  const basePath = args.values.get('base-path')?.at(-1);
  const maxQueueSize = intOption(args.values, 'max-queue-size', 1);
  const allowOrigins = (args.values.get('allow-origins') ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const staticDir = args.values.get('static')?.at(-1);
  const modelsFile = args.values.get('models')?.at(-1);
  const models = modelsFile !== undefined ? readModelsFile(resolve(cwd, modelsFile)) : undefined;
  return {
    port: intOption(args.values, 'port', 0) ?? 9090,
    ...(basePath !== undefined ? { basePath } : {}),
    timing: { msPerStep: intOption(args.values, 'ms-per-step', 0) ?? 0, msPerNode: intOption(args.values, 'ms-per-node', 0) ?? 0 },
    ...(maxQueueSize !== undefined ? { maxQueueSize } : {}),
    ...(users.length > 0 ? { multiUser: { users } } : {}),
    progressImages: args.flags.has('progress-images'),
    ...(allowOrigins.length > 0 ? { allowOrigins } : {}),
    ...(staticDir !== undefined ? { staticDir } : {}),
    ...(models !== undefined ? { models } : {}),
  };
}

/** Runs the emulator until `stop` settles; resolves to the exit code. */
export async function serve(argv: readonly string[], io: CliIo, stop: Promise<unknown>): Promise<number> {
  const options = parseArgsOrUsage('serve', USAGE, io, () => serveOptions(argv, io.cwd));
  if (typeof options === 'number') return options;
  const { startEmulator, isEmulatorOptionError } = await import('../../emulator/index.js');
  let emu;
  try {
    emu = await startEmulator(options);
  } catch (error) {
    if (isEmulatorOptionError(error)) {
      io.err(`invokeai-rx serve: ${error.message.replace(`${error.option}:`, `${FLAG_OF[error.option] ?? error.option}:`)}\n`);
      return 2;
    }
    io.err(`invokeai-rx serve: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  const users = options.multiUser?.users.length ?? 0;
  io.out(`InvokeAI emulator listening on ${emu.url}${users > 0 ? ` (multi-user, ${users} account${users === 1 ? '' : 's'})` : ''}\n`);
  io.out(`socket.io path: ${emu.socketPath}\n`);
  if (options.staticDir !== undefined) io.out(`web app: ${emu.url}/\n`);
  if (options.allowOrigins) io.out(`allowed origins: ${options.allowOrigins.join(', ')}\n`);
  if (options.models) io.out(`installed models: ${options.models.length} (--models)\n`);
  await stop;
  await emu.close();
  io.out('emulator stopped\n');
  return 0;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'start the InvokeAI emulator',
  run(argv, io) {
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return serve(argv, io, stop);
  },
};
