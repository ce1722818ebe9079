import { resolveFieldKind, type FieldConstraints } from './fieldKinds.js';
import type { FieldKind, FieldSpec, FieldTableData } from './fieldTableTypes.js';
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


/** The value a node input holds in a workflow document. */
export function fieldValue(doc: WorkflowJson, nodeId: string, fieldName: string): unknown {
  const node = doc.nodes.find((n) => n.id === nodeId);
  return node?.type === 'invocation' ? node.data.inputs[fieldName]?.value : undefined;
}

/** Field title the editor shows: the schema title, else the field name. */
function titleOf(spec: FieldSpec | undefined, fieldName: string): string {
  return spec?.t ?? fieldName;
}

/**
 * One form input as the user sees it, and the constraints its values are checked against: from the
 * field table when there is one, else from the form element's settings and the workflow itself.
 */
export function describeInput(
  ref: FormFieldRef,
  index: number,
  node: InvocationNode,
  table: FieldTableData | null,
): { input: WorkflowInput; constraints: FieldConstraints } {
  const nodeType = node.data.type;
  const nodeSpec = table?.nodes[nodeType];
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
