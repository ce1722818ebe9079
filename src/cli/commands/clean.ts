import { firstValueFrom } from 'rxjs';
import { cleanRun, type CleanRunImages, type CleanRunSummary } from '../../index.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure } from '../describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { parseArgs } from '../parseArgs.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { runIdFlag } from '../refine/runId.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';
import { checkServerUrl } from '../serverUrl.js';

const USAGE = `usage: invokeai-rx clean --run-id ID [options]

Ends a run on the server: cancels its queue items still pending or running and deletes the images
its items made (cleanRun). Only the items whose destination is the run id are touched; images of
other runs, uploads and images the run only read are never deleted. Run it once no process of the
run is running any more (their work would be canceled).

options:
  --run-id ID             the run id ('refine' prints it at start and keeps it in run.json)
  --images WHICH          intermediates: the images the workflows mark as intermediate (the
                          results the run saved stay in the gallery); all: every image the run's
                          items made; none: only cancel              [default: intermediates]
  --server URL            the server the run used                   [default: $INVOKEAI_URL]
  --token T               bearer token (multi-user servers)         [default: $INVOKEAI_TOKEN]

Exit status: 0 done, 1 the server failed or some images were not deleted (what to do on stderr),
2 usage error.
`;

interface CleanArgs {
  runId: string;
  images: CleanRunImages;
  server?: string;
  token?: string;
}

function parseCleanArgs(argv: readonly string[]): CleanArgs | 'help' {
  const args = parseArgs(argv, { flags: ['help'], repeatable: ['run-id', 'images', 'server', 'token'] });
  if (args.flags.has('help')) return 'help';
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const value = (name: string) => args.values.get(name)?.at(-1);
  const runId = runIdFlag(value('run-id'));
  if (runId === undefined) throw new UsageError('--run-id ID is required (refine prints it at start; it is the "runId" of run.json)');
  const images = value('images') ?? 'intermediates';
  if (images !== 'intermediates' && images !== 'all' && images !== 'none') throw new UsageError(`--images expects intermediates, all or none, got '${images}'`);
  const parsed: CleanArgs = { runId, images };
  const server = value('server');
  if (server !== undefined) parsed.server = checkServerUrl(server, '--server');
  const token = value('token');
  if (token === '') throw new UsageError('--token needs a non-empty value');
  if (token !== undefined) parsed.token = token;
  return parsed;
}

/** Runs `invokeai-rx clean`; resolves to the exit code. */
export async function cleanMain(argv: readonly string[], io: CliIo, deps: ServerDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('clean', USAGE, io, () => parseCleanArgs(argv));
  if (typeof args === 'number') return args;
  const envServer = io.env['INVOKEAI_URL'];
  const server = args.server ?? (envServer ? envServer : undefined);
  // An emulator started for this command would have nothing of the run.
  if (server === undefined || server === 'embedded') {
    io.err(`invokeai-rx clean: give the server the run used (--server URL or INVOKEAI_URL)\n\n${USAGE}`);
    return 2;
  }
  const token = args.token ?? io.env['INVOKEAI_TOKEN'];
  let session: ServerSession | undefined;
  try {
    session = await openServer(server, token ? { token } : {}, deps);
    const summary = await firstValueFrom(cleanRun(session.client, args.runId, { images: args.images }));
    io.out(formatCleanSummary(args.runId, session.url, args.images, summary));
    if (summary.failedDeletes.length === 0) return 0;
    const n = summary.failedDeletes.length;
    const shown = summary.failedDeletes.slice(0, 5).join(', ') + (n > 5 ? `, … (${n - 5} more)` : '');
    io.err(
      `invokeai-rx clean: ${n} image${n === 1 ? '' : 's'} of run ${args.runId} ${n === 1 ? 'was' : 'were'} not deleted (${shown}): ` +
        `the server refused or had already lost ${n === 1 ? 'it' : 'them'}; run the same command again, or delete ${n === 1 ? 'it' : 'them'} in the InvokeAI gallery\n`,
    );
    return 1;
  } catch (error) {
    io.err(`invokeai-rx clean: ${describeFailure(error, undefined, session?.url ?? server)}\n`);
    return 1;
  } finally {
    await session?.close();
  }
}

/** The summary lines: what was canceled, deleted, kept and not deleted. */
export function formatCleanSummary(runId: string, url: string, images: CleanRunImages, s: CleanRunSummary): string {
  const kept = images === 'none' ? 'every image kept (--images none)' : images === 'intermediates' ? 'the results, not intermediate' : 'none';
  return (
    `run ${runId} on ${url}:\n` +
    `  canceled:        ${s.canceled} queue item${s.canceled === 1 ? '' : 's'} still pending or running\n` +
    `  deleted images:  ${s.deletedImages.length}\n` +
    `  kept images:     ${s.keptImages.length}${s.keptImages.length > 0 ? ` (${kept})` : ''}\n` +
    `  failed deletes:  ${s.failedDeletes.length}\n`
  );
}

export const cleanCommand: CliCommand = {
  name: 'clean',
  summary: "cancel a run's unfinished work and delete its images on the server",
  run: (argv, io) => cleanMain(argv, io),
};
