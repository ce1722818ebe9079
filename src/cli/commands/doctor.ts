import { resolve } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { fieldTableFromOpenApi, loadWorkflowFile, type FieldTableData, type InvokeAIClient, type ModelConfig } from '../../index.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure } from '../describeFailure.js';
import type { DoctorRow } from '../doctor/DoctorRow.js';
import { probeRun } from '../doctor/probeRun.js';
import { checkAuth, checkEvents, checkQueue, checkServer } from '../doctor/serverChecks.js';
import { workflowNeeds } from '../doctor/workflowNeeds.js';
import { UsageError } from '../errors/UsageError.js';
import { parseArgs } from '../parseArgs.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { openServer, type ServerDeps } from '../serverSession.js';

const USAGE = `usage: invokeai-rx doctor [WORKFLOW.json...] [--server URL] [--token T]

Checks a server before a long run: its version and health, single- or multi-user mode, whether the
queue is paused, whether socket.io events arrive; for each workflow, the node types and models the
server lacks; then a model-free probe run end to end (upload → resize → events → download → delete).
Runs against the embedded emulator unless --server (or INVOKEAI_URL) names a real server.

options:
  --server URL|embedded   InvokeAI server                            [default: $INVOKEAI_URL, else embedded]
  --token T               bearer token (multi-user servers)          [default: $INVOKEAI_TOKEN]
  --timeout SECONDS       limit for the probe run and the socket     [default: 30]

Exit status: 0 all is well, 1 something needs fixing (see the table), 2 usage error.
`;

interface DoctorArgs {
  workflows: string[];
  server?: string;
  token?: string;
  timeoutMs: number;
}

function parseDoctorArgs(argv: readonly string[]): DoctorArgs | 'help' {
  const args = parseArgs(argv, { flags: ['help'], repeatable: ['server', 'token', 'timeout'] });
  if (args.flags.has('help')) return 'help';
  const last = (name: string) => args.values.get(name)?.at(-1);
  const timeout = last('timeout') ?? '30';
  if (!(Number(timeout) > 0)) throw new UsageError(`--timeout expects seconds > 0, got '${timeout}'`);
  return {
    workflows: [...args.positionals],
    timeoutMs: Number(timeout) * 1000,
    ...(last('server') !== undefined ? { server: last('server')! } : {}),
    ...(last('token') !== undefined ? { token: last('token')! } : {}),
  };
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check a server (health, auth, queue, events, workflows, a probe run)',
  run: (argv, io) => doctorMain(argv, io),
};

/** Runs `invokeai-rx doctor`; resolves to the exit code. */
export async function doctorMain(argv: readonly string[], io: CliIo, deps: ServerDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('doctor', USAGE, io, () => parseDoctorArgs(argv));
  if (typeof args === 'number') return args;
  const token = args.token ?? io.env['INVOKEAI_TOKEN'];
  const server = args.server ?? io.env['INVOKEAI_URL'] ?? 'embedded';
  let session;
  try {
    session = await openServer(server, token ? { token } : {}, deps);
  } catch (error) {
    io.err(`invokeai-rx doctor: ${describeFailure(error)}\n`);
    return 1;
  }
  const rows: DoctorRow[] = [];
  try {
    // Every check is a set-up request: an unreachable server is reported in seconds, not retried for minutes.
    await diagnose(session.setupClient, args, token !== undefined, rows);
  } finally {
    await session.close();
  }
  io.out(`${session.url}\n${formatRows(rows)}`);
  const failed = rows.filter((r) => r.status === 'fail').length;
  io.out(failed === 0 ? 'All is well.\n' : `${failed} problem${failed === 1 ? '' : 's'} to fix before a long run.\n`);
  return failed === 0 ? 0 : 1;
}

/** Fills `rows` check by check; a failure that makes the later checks meaningless stops there. */
async function diagnose(client: InvokeAIClient, args: DoctorArgs, hasToken: boolean, rows: DoctorRow[]): Promise<void> {
  const attempt = async (check: string, run: () => Promise<DoctorRow>): Promise<boolean> => {
    try {
      const row = await run();
      rows.push(row);
      return row.status !== 'fail';
    } catch (error) {
      rows.push({ check, status: 'fail', detail: describeFailure(error) });
      return false;
    }
  };
  if (!(await attempt('server', () => checkServer(client)))) return;
  if (!(await attempt('auth', () => checkAuth(client, hasToken)))) return;
  const queueRuns = await attempt('queue', () => checkQueue(client));
  await attempt('events', () => checkEvents(client, Math.min(args.timeoutMs, 10_000)));

  if (args.workflows.length > 0) {
    let table: FieldTableData | undefined;
    let models: ModelConfig[] = [];
    const ready = await attempt('server schema', async () => {
      table = fieldTableFromOpenApi(await firstValueFrom(client.app.openapi()));
      models = await firstValueFrom(client.models.list());
      return { check: 'server schema', status: 'ok', detail: `${Object.keys(table.nodes).length} node types, ${models.length} models installed` };
    });
    if (ready && table) {
      for (const file of args.workflows) {
        await attempt(file, async () => workflowNeeds(file, loadWorkflowFile(resolve(file), { fieldTable: table! }), table!, models));
      }
    }
  }
  if (!queueRuns) {
    rows.push({ check: 'probe', status: 'fail', detail: 'skipped: the queue is paused' });
    return;
  }
  await attempt('probe', () => probeRun(client, args.timeoutMs));
}

function formatRows(rows: readonly DoctorRow[]): string {
  const width = Math.max(5, ...rows.map((r) => r.check.length));
  const lines = rows.map((r) => {
    const head = `${r.status.toUpperCase().padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`;
    return r.fix ? `${head}\n${' '.repeat(width + 8)}→ ${r.fix}` : head;
  });
  return `${lines.join('\n')}\n`;
}
