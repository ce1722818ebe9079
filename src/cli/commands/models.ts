import { firstValueFrom } from 'rxjs';
import type { ModelConfig } from '../../index.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure } from '../describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { parseArgs } from '../parseArgs.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';

const USAGE = `usage: invokeai-rx models [options]

Lists the models installed on the server (GET /api/v2/models/): name, base, type and key. Use a
name or key with 'invokeai-rx run WORKFLOW.json --set INDEX=NAME'; save --json to a file and give
it to 'invokeai-rx serve --models FILE' to make the emulator mirror this install.
Asks an embedded InvokeAI emulator unless --server (or INVOKEAI_URL) names a real server.

options:
  --json                  print the model records as the server sent them (a JSON list)
  --base B                only models of this base (sdxl, sd-1, flux, any, ...)
  --type T                only models of this type (main, vae, lora, spandrel_image_to_image, ...)
  --server URL|embedded   InvokeAI server                            [default: $INVOKEAI_URL, else embedded]
  --token T               bearer token (multi-user servers)          [default: $INVOKEAI_TOKEN]

Exit status: 0 listed, 1 failed (one-line reason on stderr), 2 usage error.
`;

interface ModelsArgs {
  json: boolean;
  base?: string;
  type?: string;
  server?: string;
  token?: string;
}

function parseModelsArgs(argv: readonly string[]): ModelsArgs | 'help' {
  const args = parseArgs(argv, { flags: ['help', 'json'], repeatable: ['base', 'type', 'server', 'token'] });
  if (args.flags.has('help')) return 'help';
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const parsed: ModelsArgs = { json: args.flags.has('json') };
  for (const name of ['base', 'type', 'server', 'token'] as const) {
    const value = args.values.get(name)?.at(-1);
    if (value === '') throw new UsageError(`--${name} needs a non-empty value`);
    if (value !== undefined) parsed[name] = value;
  }
  return parsed;
}

/** Runs `invokeai-rx models`; resolves to the exit code. */
export async function modelsMain(argv: readonly string[], io: CliIo, deps: ServerDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('models', USAGE, io, () => parseModelsArgs(argv));
  if (typeof args === 'number') return args;
  const server = args.server ?? io.env['INVOKEAI_URL'] ?? 'embedded';
  const token = args.token ?? io.env['INVOKEAI_TOKEN'];
  let session: ServerSession | undefined;
  try {
    session = await openServer(server, token ? { token } : {}, deps);
    const filter = { ...(args.base !== undefined ? { base: args.base } : {}), ...(args.type !== undefined ? { type: args.type } : {}) };
    const models = await firstValueFrom(session.setupClient.models.list(filter));
    io.out(args.json ? JSON.stringify(models, null, 2) + '\n' : formatModelTable(models));
    return 0;
  } catch (error) {
    io.err(`invokeai-rx models: ${describeFailure(error, undefined, server === 'embedded' ? undefined : (session?.url ?? server))}\n`);
    return 1;
  } finally {
    await session?.close();
  }
}

/** The models as an aligned table: name, base, type, key. */
export function formatModelTable(models: readonly ModelConfig[]): string {
  if (models.length === 0) return 'No models match.\n';
  const header = ['name', 'base', 'type', 'key'];
  const rows = models.map((m) => [m.name, m.base, m.type, m.key].map((cell) => cell.replace(/\s+/g, ' ')));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ') + '\n';
  return line(header) + rows.map(line).join('');
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: "list the server's installed models",
  run: (argv, io) => modelsMain(argv, io),
};
