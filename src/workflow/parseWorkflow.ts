import type * as z from 'zod/mini';
import { WorkflowParseError } from '../errors/WorkflowParseError.js';
import { deepFreeze } from './deepFreeze.js';
import type { FieldTableData } from './fieldTableTypes.js';
import { resolveFormFields } from './resolveFormFields.js';
import { Workflow } from './Workflow.js';
import { zWorkflowJson } from './workflowSchema.js';

export interface ParseWorkflowOptions {
  /** Name of where the JSON came from, used in errors and warnings. @default '<input>' */
  source?: string;
  /**
   * Invocation field table (kinds, constraints, titles): `FIELD_TABLE_6_14` from
   * `invokeai-rx/field-table` for offline dry runs, or a server's (`client.app.fieldTable()`).
   * @default none: kinds come from the form's element settings, then from names and values, and
   * labels from the workflow itself (`workflow.fieldTable` is `null`); a run binds the connected
   * server's own table before it builds the graph.
   */
  fieldTable?: FieldTableData;
  /**
   * What to do with a structurally invalid form: `'default'` replaces it by the empty default form
   * and records a warning (the editor's behaviour); `'error'` throws `FormError`.
   * @default 'default'
   */
  onInvalidForm?: 'default' | 'error';
}

/**
 * Reads an exported InvokeAI workflow (JSON text or an already-parsed object) and discovers its
 * form inputs.
 *
 * Unknown keys are kept; `meta.version` 1.x–4.x is accepted. An invalid form is replaced by the
 * default one (warning), and an empty form falls back to `exposedFields`, as the editor does.
 *
 * @throws WorkflowParseError naming the source, the JSON path and the problem.
 * @throws FormError only with `onInvalidForm: 'error'`.
 */
export function parseWorkflow(json: string | unknown, options: ParseWorkflowOptions = {}): Workflow {
  const source = options.source ?? '<input>';
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new WorkflowParseError({ source, path: '', problem: `not valid JSON (${(cause as Error).message})`, cause });
    }
  }
  const raw = deepFreeze(structuredClone(value));
  const parsed = zWorkflowJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WorkflowParseError({ source, path: formatPath(issue.path), problem: describeIssue(issue), cause: parsed.error });
  }
  const doc = parsed.data;
  const seen = new Set<string>();
  doc.nodes.forEach((node, i) => {
    if (seen.has(node.id)) {
      throw new WorkflowParseError({ source, path: `nodes[${i}].id`, problem: `duplicate node id ${JSON.stringify(node.id)}` });
    }
    seen.add(node.id);
  });

  const warnings: string[] = [];
  doc.edges.forEach((edge, i) => {
    for (const end of [edge.source, edge.target]) {
      if (!seen.has(end)) warnings.push(`edges[${i}] references node ${JSON.stringify(end)}, which the workflow does not have; ignored`);
    }
  });
  const form = resolveFormFields(doc.form, doc.nodes, doc.exposedFields, { source, onInvalidForm: options.onInvalidForm ?? 'default' });
  return new Workflow({
    source,
    raw,
    doc: deepFreeze(doc),
    fields: deepFreeze(form.fields),
    formSource: form.source,
    warnings: Object.freeze([...warnings, ...form.warnings]),
    fieldTable: options.fieldTable ?? null,
    explicit: Object.freeze(new Set<number>()) as ReadonlySet<number>,
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const received = (issue as { input?: unknown }).input;
    return received === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}`;
  }
  return issue.message;
}
