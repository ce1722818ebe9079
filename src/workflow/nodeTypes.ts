/** Batch nodes: their collection becomes `batch.data`, they are not graph nodes. */
export const BATCH_NODE_TYPES: ReadonlySet<string> = new Set(['image_batch', 'string_batch', 'integer_batch', 'float_batch']);

/** Generator nodes feed batch nodes in the editor; they are not graph nodes either. */
export const GENERATOR_NODE_TYPES: ReadonlySet<string> = new Set([
  'image_generator',
  'string_generator',
  'integer_generator',
  'float_generator',
]);

/** Collection input and output handle of each batch node type. */
export const BATCH_NODE_FIELDS: Readonly<Record<string, { items: string; output: string }>> = {
  image_batch: { items: 'images', output: 'image' },
  string_batch: { items: 'strings', output: 'value' },
  integer_batch: { items: 'integers', output: 'value' },
  float_batch: { items: 'floats', output: 'value' },
};

/** Input and output handles of a `connector` (reroute) node. */
export const CONNECTOR_IN = 'in';
export const CONNECTOR_OUT = 'out';

/** Prefix of `call_saved_workflow` inputs that are folded into its `workflow_inputs` dict. */
export const SAVED_WORKFLOW_INPUT_PREFIX = 'saved_workflow_input::';
