import { AmbiguousLabelError } from '../errors/AmbiguousLabelError.js';
import { IndexDriftError } from '../errors/IndexDriftError.js';
import { InputIndexError } from '../errors/InputIndexError.js';
import { InputValueError } from '../errors/InputValueError.js';
import { deepFreeze } from './deepFreeze.js';
import { describeInput, fieldValue, type WorkflowInput } from './describeInput.js';
import { normalizeFieldValue, type FieldConstraints } from './fieldKinds.js';
import type { FieldTableData } from './fieldTableTypes.js';
import { compareIndexMap, type DriftReport, type IndexMap } from './indexMap.js';
import type { FormFieldRef } from './resolveFormFields.js';
import type { InvocationNode, WorkflowJson } from './workflowSchema.js';

export type { WorkflowInput } from './describeInput.js';

/** A change of one node input's value. */
export interface NodeValueChange {
  nodeId: string;
  fieldName: string;
  /** `undefined` removes the value. */
  value: unknown;
}

/** @internal Everything a Workflow is made of. */
export interface WorkflowState {
  source: string;
  raw: unknown;
  doc: WorkflowJson;
  fields: readonly FormFieldRef[];
  formSource: 'form' | 'exposedFields';
  warnings: readonly string[];
  fieldTable: FieldTableData | null;
  explicit: ReadonlySet<number>;
}

/**
 * An exported InvokeAI workflow with its form inputs. Immutable: {@link Workflow.with} and
 * {@link Workflow.set} return a new Workflow in which only input values differ.
 *
 * Create one with `parseWorkflow(json)` or `loadWorkflowFile(path)`.
 *
 * ## Example
 * ```ts
 * import { parseWorkflow } from 'invokeai-rx';
 * const wf = parseWorkflow(json).with({ 1: 'a lighthouse at dusk', 5: 30 });
 * wf.input(1).value; // 'a lighthouse at dusk'
 * ```
 */
export class Workflow {
  /** Where the workflow came from (file path or the `source` given to `parseWorkflow`). */
  readonly source: string;
  /** The JSON as given to `parseWorkflow` (deep-frozen, never changes). */
  readonly raw: unknown;
  /** The workflow JSON with the current input values (deep-frozen); what graphs are built from. */
  readonly json: WorkflowJson;
  readonly inputs: readonly WorkflowInput[];
  /** Problems that did not prevent loading (invalid form replaced, dangling form fields, …). */
  readonly warnings: readonly string[];
  /** Whether the inputs come from the builder form or, for form-less workflows, `exposedFields`. */
  readonly formSource: 'form' | 'exposedFields';
  /**
   * Field table used for kinds, constraints and titles; `null` when the workflow was parsed without
   * one and is not bound to a server yet. Kinds then come from the form's element settings, then
   * from names and values, and labels from the workflow itself; a run binds the connected
   * server's own table ({@link Workflow.withFieldTable}) before it builds the graph.
   */
  readonly fieldTable: FieldTableData | null;
  /** Indices the user set through {@link Workflow.with}/{@link Workflow.set} (never overwritten by `syncModels`). */
  readonly explicitIndices: ReadonlySet<number>;

  readonly #state: WorkflowState;
  readonly #constraints: readonly FieldConstraints[];

  /** @internal Use `parseWorkflow`. */
  constructor(state: WorkflowState) {
    this.#state = state;
    this.source = state.source;
    this.raw = state.raw;
    this.json = state.doc;
    this.warnings = state.warnings;
    this.formSource = state.formSource;
    this.fieldTable = state.fieldTable;
    this.explicitIndices = state.explicit;
    const nodes = new Map<string, InvocationNode>();
    for (const node of state.doc.nodes) if (node.type === 'invocation') nodes.set(node.id, node);
    const built = state.fields.map((ref, index) => describeInput(ref, index, nodes.get(ref.nodeId)!, state.fieldTable));
    this.inputs = Object.freeze(built.map((b) => b.input));
    this.#constraints = built.map((b) => b.constraints);
    Object.freeze(this);
  }

  /** The workflow's `name` (may be empty). */
  get name(): string {
    return this.json.name;
  }

  /** The workflow's library id, when it was saved in a library. */
  get id(): string | null {
    return this.json.id ?? null;
  }

  /**
   * The input at a form index, or with a label (unique labels only), or `"<nodeId>.<fieldName>"`.
   * @throws InputIndexError when there is no such input.
   * @throws AmbiguousLabelError when several inputs carry the label.
   */
  input(ref: number | string): WorkflowInput {
    if (typeof ref === 'number') {
      const input = Number.isInteger(ref) ? this.inputs[ref] : undefined;
      if (!input) throw new InputIndexError({ ref, count: this.inputs.length, workflow: this.name || this.source });
      return input;
    }
    const byLabel = this.inputs.filter((i) => i.label === ref);
    if (byLabel.length === 1) return byLabel[0]!;
    if (byLabel.length > 1) throw new AmbiguousLabelError({ label: ref, indices: byLabel.map((i) => i.index) });
    const byField = this.inputs.filter((i) => `${i.nodeId}.${i.fieldName}` === ref);
    if (byField.length >= 1) return byField[0]!;
    throw new InputIndexError({
      ref,
      count: this.inputs.length,
      workflow: this.name || this.source,
      labels: this.inputs.map((i) => i.label),
    });
  }

  /**
   * A new Workflow with input values replaced. Keys are form indices (`0`, `'3'`) or unique labels.
   * Values are validated against the input's kind and constraints and normalised
   * (`'x.png'` → `{image_name}`, board id → `{board_id}`, `'#rrggbb'` → color); `null` clears an
   * optional input. The inputs set here are remembered as explicit ({@link explicitIndices}).
   * @throws InputValueError naming the input, its kind and what it accepts.
   */
  with(values: Readonly<Record<number | string, unknown>>): Workflow {
    const changes: NodeValueChange[] = [];
    const explicit = new Set(this.explicitIndices);
    for (const [key, raw] of Object.entries(values)) {
      const input = this.input(/^\d+$/.test(key) ? Number(key) : key);
      const result = normalizeFieldValue(this.#constraints[input.index]!, raw);
      if (!result.ok) {
        throw new InputValueError({ index: input.index, label: input.label, kind: input.kind, value: raw, allowed: result.allowed });
      }
      changes.push({ nodeId: input.nodeId, fieldName: input.fieldName, value: result.value });
      for (const other of this.inputs) {
        if (other.nodeId === input.nodeId && other.fieldName === input.fieldName) explicit.add(other.index);
      }
    }
    return this.#derive(changes, explicit);
  }

  /** `with({ [ref]: value })`. */
  set(ref: number | string, value: unknown): Workflow {
    return this.with({ [typeof ref === 'number' ? String(ref) : ref]: value });
  }

  /**
   * Low-level: a new Workflow with values of arbitrary node inputs replaced, without form
   * validation and without marking anything explicit (used by `syncModels`).
   */
  withNodeValues(changes: readonly NodeValueChange[], explicit: ReadonlySet<number> = this.explicitIndices): Workflow {
    return this.#derive(changes, new Set(explicit));
  }

  /**
   * The same workflow bound to a field table (a server's, or `FIELD_TABLE_6_14` from
   * `invokeai-rx/field-table`): kinds, constraints, titles and labels are derived again from it,
   * and the values set through {@link Workflow.with} are checked again (and normalised) against
   * the new constraints. `runWorkflow` does this with the connected server's table for a workflow
   * that has none.
   * @throws InputValueError, as `with()` would, for a value set earlier that the table rejects.
   */
  withFieldTable(table: FieldTableData): Workflow {
    const bound = new Workflow({ ...this.#state, fieldTable: table });
    const changes: NodeValueChange[] = [];
    for (const index of [...this.explicitIndices].sort((a, b) => a - b)) {
      const input = bound.inputs[index]!;
      const value = fieldValue(this.json, input.nodeId, input.fieldName);
      const result = normalizeFieldValue(bound.#constraints[index]!, value);
      if (!result.ok) {
        throw new InputValueError({ index, label: input.label, kind: input.kind, value, allowed: result.allowed });
      }
      if (JSON.stringify(result.value) !== JSON.stringify(value)) {
        changes.push({ nodeId: input.nodeId, fieldName: input.fieldName, value: result.value });
      }
    }
    return changes.length ? bound.#derive(changes, new Set(this.explicitIndices)) : bound;
  }

  /** The current form index of every input, to save next to a script. */
  indexMap(): IndexMap {
    return {
      workflow: this.name,
      generatedAt: new Date().toISOString(),
      inputs: this.inputs.map((i) => ({ index: i.index, nodeId: i.nodeId, fieldName: i.fieldName, label: i.label, kind: i.kind })),
    };
  }

  /** Compares a recorded index map with the current form (inputs matched by node id + field name). */
  verifyIndexMap(map: IndexMap): DriftReport {
    return compareIndexMap(map, this.inputs);
  }

  /**
   * Throws when a recorded input moved, disappeared or changed kind. Inputs only added (at indices
   * the map did not use) do not invalidate a script and are tolerated.
   * @throws IndexDriftError listing exactly what moved.
   */
  assertIndexMap(map: IndexMap): void {
    const drift = this.verifyIndexMap(map);
    if (drift.moved.length || drift.missing.length || drift.changedKind.length) {
      throw new IndexDriftError({ workflow: this.name || this.source, drift });
    }
  }

  /** The current workflow JSON (`JSON.stringify(workflow)`). */
  toJSON(): WorkflowJson {
    return this.json;
  }

  #derive(changes: readonly NodeValueChange[], explicit: Set<number>): Workflow {
    const byNode = new Map<string, Map<string, unknown>>();
    for (const c of changes) {
      const m = byNode.get(c.nodeId) ?? new Map<string, unknown>();
      m.set(c.fieldName, c.value);
      byNode.set(c.nodeId, m);
    }
    const nodes = this.json.nodes.map((node) => {
      const m = node.type === 'invocation' ? byNode.get(node.id) : undefined;
      if (!m || node.type !== 'invocation') return node;
      const inputs = { ...node.data.inputs };
      for (const [fieldName, value] of m) {
        const { value: _old, ...rest } = inputs[fieldName] ?? { name: fieldName, label: '', description: '' };
        inputs[fieldName] = value === undefined ? rest : { ...rest, value: structuredClone(value) };
      }
      return { ...node, data: { ...node.data, inputs } };
    });
    const doc = deepFreeze({ ...this.json, nodes });
    return new Workflow({ ...this.#state, doc, explicit: Object.freeze(explicit) as ReadonlySet<number> });
  }
}
