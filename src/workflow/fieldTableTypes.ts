/** The kind of value a node input holds, as far as a workflow-running client cares. */
export type FieldKind =
  | 'integer'
  | 'float'
  | 'string'
  | 'boolean'
  | 'enum'
  | 'model'
  | 'image'
  | 'board'
  | 'color'
  | 'json';

/** One invocation input, compacted from its OpenAPI property. */
export interface FieldSpec {
  /** Kind of the first non-null branch of the property. */
  k: FieldKind;
  /** `any` (literal or edge), `connection` (edge only) or `direct` (literal only). */
  in: 'any' | 'connection' | 'direct';
  /** Server default, when it is not null. */
  d?: unknown;
  /** `orig_required`: the node fails at run time without a value or an edge. */
  req?: 1;
  /** Allowed values of an enum / literal field. */
  e?: readonly (string | number | boolean)[];
  min?: number;
  max?: number;
  /** exclusiveMinimum */
  gt?: number;
  /** exclusiveMaximum */
  lt?: number;
  /** multipleOf */
  mul?: number;
  /** Field title the UI shows when the input has no label of its own. */
  t?: string;
  /** Schema name for structured `json` fields (e.g. `LatentsField`), or `list[...]`. */
  ref?: string;
  /** The property also (or only) accepts a list. */
  list?: 1;
  /** `field_kind: internal` (board, metadata). */
  internal?: 1;
  hidden?: 1;
  /** Model picker filters (`ui_model_base`, `ui_model_type`). */
  mb?: readonly string[];
  mt?: readonly string[];
}

/** One invocation type. */
export interface NodeSpec {
  /** Schema title. */
  t: string;
  /** Node version. */
  v: string;
  /** Output schema name (key of {@link FieldTableData.outputs}). */
  out: string | null;
  /** Inputs by field name. */
  f: Record<string, FieldSpec>;
  /** `use_cache` defaults to false (rand_int, iterate, collect, …). */
  cache?: false;
  /** Accepts extra properties (`core_metadata`). */
  extra?: 1;
  cat?: string;
}

/** One output schema: its `type` discriminator and its fields (kind or schema name). */
export interface OutputSpec {
  type: string;
  f: Record<string, string>;
}

export interface FieldTableData {
  /** InvokeAI version the table was generated from. */
  version: string | null;
  nodes: Record<string, NodeSpec>;
  outputs: Record<string, OutputSpec>;
}
