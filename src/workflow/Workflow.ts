import { AmbiguousLabelError } from '../errors/AmbiguousLabelError.js';
import { IndexDriftError } from '../errors/IndexDriftError.js';
import { InputIndexError } from '../errors/InputIndexError.js';
import { InputValueError } from '../errors/InputValueError.js';
import { deepFreeze } from './deepFreeze.js';
import { normalizeFieldValue, resolveFieldKind, type FieldConstraints } from './fieldKinds.js';
import type { FieldKind, FieldSpec, FieldTableData } from './fieldTable.js';
import { compareIndexMap, type DriftReport, type IndexMap } from './indexMap.js';
import type { FormFieldRef } from './resolveFormFields.js';
import type { InvocationNode, NodeFieldSettings, WorkflowJson } from './workflowSchema.js';

/** One user-facing parameter of a workflow: a form `node-field` (or legacy exposed field). */
export interface WorkflowInput {
  /** Position in the form, depth-first pre-order from the root: the stable handle scripts use. */
  readonly index: number;
  readonly nodeId: string;
  readonly fieldName: string;
  /**
   * Display label: the input's own label; else, when the node has a label of its own,
   * `"<node label>: <field title>"`; else the field title from the invocation schema; else the field name.
   */
  readonly label: string;
  /** The node's own label, else its invocation title (`"Denoise - SD1.5, SDXL"`), else its type. */
  readonly nodeLabel: string;
  readonly nodeType: string;
  readonly kind: FieldKind;
  /** Current value; `undefined` when the input has none (the server default applies). */
  readonly value: unknown;
  /** The server fails the node without a value or an edge. */
  readonly required: boolean;
  /** Allowed values: enum choices, or dropdown options of a string field. */
  readonly options?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: number;
  readonly exclusiveMax?: number;
  readonly multipleOf?: number;
  /** The form element's settings, as exported. */
  readonly settings?: NodeFieldSettings;
}

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
  fieldTable: FieldTableData;
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
  /** Field table used for kinds, constraints and titles. */
  readonly fieldTable: FieldTableData;
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

/** Field title the editor shows: the schema title, else the field name. */
function titleOf(spec: FieldSpec | undefined, fieldName: string): string {
  return spec?.t ?? fieldName;
}

function describeInput(
  ref: FormFieldRef,
  index: number,
  node: InvocationNode,
  table: FieldTableData,
): { input: WorkflowInput; constraints: FieldConstraints } {
  const nodeType = node.data.type;
  const nodeSpec = table.nodes[nodeType];
  const spec = nodeSpec?.f[ref.fieldName];
  const field = node.data.inputs[ref.fieldName];
  // Connection-only inputs never carry a literal: the editor drops whatever was stored.
  const value = spec?.in === 'connection' ? undefined : field?.value;
  const kind = resolveFieldKind({ nodeType, fieldName: ref.fieldName, settings: ref.settings, spec, value });
  const ownNodeLabel = node.data.label?.trim() ?? '';
  const title = titleOf(spec, ref.fieldName);
  const label = field?.label?.trim() || (ownNodeLabel ? `${ownNodeLabel}: ${title}` : title);

  const constraints: FieldConstraints = { kind, required: spec?.req === 1 };
  if (spec?.list) constraints.list = true;
  if (kind === 'integer' || kind === 'float') {
    const mins = [spec?.min, ref.settings?.min ?? undefined].filter((n): n is number => typeof n === 'number');
    const maxs = [spec?.max, ref.settings?.max ?? undefined].filter((n): n is number => typeof n === 'number');
    if (mins.length) constraints.min = Math.max(...mins);
    if (maxs.length) constraints.max = Math.min(...maxs);
    if (spec?.gt !== undefined) {
      if (kind === 'integer') constraints.min = Math.max(constraints.min ?? -Infinity, Math.floor(spec.gt) + 1);
      else constraints.exclusiveMin = spec.gt;
    }
    if (spec?.lt !== undefined) {
      if (kind === 'integer') constraints.max = Math.min(constraints.max ?? Infinity, Math.ceil(spec.lt) - 1);
      else constraints.exclusiveMax = spec.lt;
    }
    if (spec?.mul !== undefined) constraints.multipleOf = spec.mul;
  }
  if (kind === 'enum' && spec?.e) constraints.options = spec.e.map(String);
  if (kind === 'string' && ref.settings?.component === 'dropdown' && ref.settings.options?.length) {
    constraints.options = ref.settings.options.map((o) => o.value);
  }
  if (kind === 'model') {
    if (spec?.mb) constraints.modelBases = spec.mb;
    if (spec?.mt) constraints.modelTypes = spec.mt;
  }

  const input: WorkflowInput = {
    index,
    nodeId: ref.nodeId,
    fieldName: ref.fieldName,
    label,
    nodeLabel: ownNodeLabel || nodeSpec?.t || nodeType,
    nodeType,
    kind,
    value,
    required: constraints.required === true,
    ...(constraints.options ? { options: Object.freeze([...constraints.options]) } : {}),
    ...(constraints.min !== undefined ? { min: constraints.min } : {}),
    ...(constraints.max !== undefined ? { max: constraints.max } : {}),
    ...(constraints.exclusiveMin !== undefined ? { exclusiveMin: constraints.exclusiveMin } : {}),
    ...(constraints.exclusiveMax !== undefined ? { exclusiveMax: constraints.exclusiveMax } : {}),
    ...(constraints.multipleOf !== undefined ? { multipleOf: constraints.multipleOf } : {}),
    ...(ref.settings ? { settings: ref.settings } : {}),
  };
  return { input: Object.freeze(input), constraints };
}
