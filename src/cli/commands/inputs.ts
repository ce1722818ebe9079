import { resolve } from 'node:path';
import { loadWorkflowFile, type WorkflowInput } from '../../index.js';
import { FIELD_TABLE_6_14 } from '../../fieldTable.js';
import type { CliCommand } from '../command.js';
import { errorLine } from '../errorLine.js';
import { UsageError } from '../errors/UsageError.js';
import { parseArgs } from '../parseArgs.js';

const USAGE = `usage: invokeai-rx inputs WORKFLOW.json [--json]

Lists the form inputs of an exported workflow by index (depth-first form order; workflows without
a form use their legacy exposedFields). Set them with 'invokeai-rx payload --set INDEX=VALUE'.
Titles, kinds and ranges come from InvokeAI 6.14's invocation schemas (no server is contacted).

options:
  --json   print a JSON array instead of a table
`;

export const inputsCommand: CliCommand = {
  name: 'inputs',
  summary: "list a workflow's form inputs by index",
  async run(argv, io) {
    let args;
    try {
      args = parseArgs(argv, { flags: ['json', 'help'], repeatable: [] });
      if (args.flags.has('help')) {
        io.out(USAGE);
        return 0;
      }
      if (args.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW.json');
    } catch (error) {
      io.err(`invokeai-rx inputs: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    try {
      // Offline: InvokeAI 6.14's table gives the server's titles, kinds and constraints.
      const wf = loadWorkflowFile(resolve(io.cwd, args.positionals[0]!), { fieldTable: FIELD_TABLE_6_14 });
      for (const warning of wf.warnings) io.err(`warning: ${warning}\n`);
      if (args.flags.has('json')) {
        io.out(JSON.stringify(wf.inputs.map(toJson), null, 2) + '\n');
      } else {
        io.out(formatTable(wf.inputs));
      }
      return 0;
    } catch (error) {
      io.err(errorLine('inputs', error));
      return 1;
    }
  },
};

function toJson(input: WorkflowInput): Record<string, unknown> {
  return { ...input, value: input.value ?? null };
}

const MAX_CELL = 48;

/** A short, single-line rendering of a value for the table. */
export function formatValue(input: WorkflowInput): string {
  const v = input.value;
  let text: string;
  if (v === undefined || v === null) text = '-';
  else if (input.kind === 'model' && typeof v === 'object' && 'name' in v) {
    const m = v as { name: string; base?: string; type?: string };
    text = `${m.name} (${m.base}/${m.type})`;
  } else if (input.kind === 'image' && typeof v === 'object' && 'image_name' in v) text = String((v as { image_name: unknown }).image_name);
  else if (input.kind === 'board' && typeof v === 'object' && 'board_id' in v) text = String((v as { board_id: unknown }).board_id);
  else if (typeof v === 'string') text = JSON.stringify(v);
  else text = JSON.stringify(v);
  text = text.replace(/\s+/g, ' ');
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 3)}...` : text;
}

function formatTable(inputs: readonly WorkflowInput[]): string {
  if (inputs.length === 0) return 'This workflow has no form inputs.\n';
  const header = ['#', 'label', 'node type', 'field', 'kind', 'value'];
  const rows = inputs.map((i) => [String(i.index), truncate(i.label), i.nodeType, i.fieldName, i.kind, formatValue(i)]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padStart(widths[c]!) : c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ') + '\n';
  return line(header) + rows.map(line).join('');
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 3)}...` : flat;
}
