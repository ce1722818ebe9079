import { resolve } from 'node:path';
import { buildEnqueueBody, loadWorkflowFile } from '../../index.js';
import { FIELD_TABLE_6_14 } from '../../fieldTable.js';
import type { CliCommand } from '../command.js';
import { errorLine } from '../errorLine.js';
import { UsageError } from '../errors/UsageError.js';
import { parseArgs } from '../parseArgs.js';

const USAGE = `usage: invokeai-rx payload WORKFLOW.json [--set INDEX=VALUE]... [--set LABEL=VALUE]... [--json] [--drop-unknown-nodes]

Prints the body of POST /api/v1/queue/default/enqueue_batch for a workflow, as the InvokeAI editor
would send it to InvokeAI 6.14 (dry run: no server is contacted). List the inputs with
'invokeai-rx inputs'.

options:
  --set REF=VALUE        set form input REF (an index, or a unique label) to VALUE; VALUE is read as
                         JSON when it parses (7, 0.5, true, {"board_id":"x"}), else as a string
  --json                 print compact JSON (default: pretty-printed)
  --drop-unknown-nodes   skip nodes of types InvokeAI no longer has (as the editor does) instead of failing
`;

export const payloadCommand: CliCommand = {
  name: 'payload',
  summary: 'print the enqueue_batch body (dry run)',
  async run(argv, io) {
    let args;
    const sets: [string, unknown][] = [];
    try {
      args = parseArgs(argv, { flags: ['json', 'drop-unknown-nodes', 'help'], repeatable: ['set'] });
      if (args.flags.has('help')) {
        io.out(USAGE);
        return 0;
      }
      if (args.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW.json');
      for (const assignment of args.values.get('set') ?? []) {
        const eq = assignment.indexOf('=');
        if (eq <= 0) throw new UsageError(`--set expects REF=VALUE, got ${JSON.stringify(assignment)}`);
        sets.push([assignment.slice(0, eq), parseValue(assignment.slice(eq + 1))]);
      }
    } catch (error) {
      io.err(`invokeai-rx payload: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    try {
      // A dry run has no server to ask: the graph is built against InvokeAI 6.14's table.
      let wf = loadWorkflowFile(resolve(io.cwd, args.positionals[0]!), { fieldTable: FIELD_TABLE_6_14 });
      for (const [ref, value] of sets) wf = wf.set(/^\d+$/.test(ref) ? Number(ref) : ref, value);
      const body = buildEnqueueBody(wf, {
        unknownNodeTypes: args.flags.has('drop-unknown-nodes') ? 'drop' : 'error',
        onWarning: (w) => io.err(`warning: ${w}\n`),
      });
      for (const warning of wf.warnings) io.err(`warning: ${warning}\n`);
      io.out((args.flags.has('json') ? JSON.stringify(body) : JSON.stringify(body, null, 2)) + '\n');
      return 0;
    } catch (error) {
      io.err(errorLine('payload', error));
      return 1;
    }
  },
};

/** JSON when it parses (numbers, booleans, objects, quoted strings), else the text itself. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
