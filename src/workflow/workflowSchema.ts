import * as z from 'zod';

// Loose objects throughout: exports carry editor-only keys (position, isOpen, nodePack, width, …)
// and newer editors add more; the client reads only what it needs and passes the rest through.

/** One input of an invocation node as exported: only `value` reaches the graph. */
export const zWorkflowFieldInput = z.looseObject({
  name: z.string().optional(),
  label: z.string().optional(),
  description: z.string().optional(),
  value: z.unknown().optional(),
});
export type WorkflowFieldInput = z.infer<typeof zWorkflowFieldInput>;

export const zInvocationNodeData = z.looseObject({
  id: z.string().optional(),
  /** Invocation type, e.g. `img_resize`. */
  type: z.string().min(1),
  version: z.string().optional(),
  label: z.string().optional(),
  notes: z.string().optional(),
  isIntermediate: z.boolean().optional(),
  useCache: z.boolean().optional(),
  inputs: z.record(z.string(), zWorkflowFieldInput),
});
export type InvocationNodeData = z.infer<typeof zInvocationNodeData>;

export const zInvocationNode = z.looseObject({
  id: z.string().min(1),
  type: z.literal('invocation'),
  data: zInvocationNodeData,
});
export type InvocationNode = z.infer<typeof zInvocationNode>;

/** `notes` (UI comment) and `connector` (reroute dot) nodes: never sent to the server. */
export const zUiNode = z.looseObject({
  id: z.string().min(1),
  type: z.enum(['notes', 'connector']),
  data: z.looseObject({}).optional(),
});

export const zWorkflowNode = z.discriminatedUnion('type', [zInvocationNode, zUiNode]);
export type WorkflowNode = z.infer<typeof zWorkflowNode>;

/** `default` edges carry data; `collapsed` edges are drawn between collapsed nodes only. */
export const zWorkflowEdge = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  source: z.string(),
  target: z.string(),
  sourceHandle: z.string().nullish(),
  targetHandle: z.string().nullish(),
});
export type WorkflowEdge = z.infer<typeof zWorkflowEdge>;

export const zFieldIdentifier = z.object({ nodeId: z.string(), fieldName: z.string() });
export type FieldIdentifier = z.infer<typeof zFieldIdentifier>;

/** `node-field` settings: number bounds/components and string dropdown options. */
export const zNodeFieldSettings = z.looseObject({
  type: z.string().optional(),
  component: z.string().optional(),
  min: z.number().nullish(),
  max: z.number().nullish(),
  showShuffle: z.boolean().optional(),
  options: z.array(z.looseObject({ label: z.string().optional(), value: z.string() })).optional(),
});
export type NodeFieldSettings = z.infer<typeof zNodeFieldSettings>;

const zElementBase = { id: z.string(), parentId: z.string().optional() };

export const zFormElement = z.discriminatedUnion('type', [
  z.looseObject({
    ...zElementBase,
    type: z.literal('container'),
    data: z.looseObject({ layout: z.string().optional(), children: z.array(z.string()) }),
  }),
  z.looseObject({
    ...zElementBase,
    type: z.literal('node-field'),
    data: z.looseObject({
      fieldIdentifier: zFieldIdentifier,
      showDescription: z.boolean().optional(),
      settings: zNodeFieldSettings.optional(),
    }),
  }),
  z.looseObject({ ...zElementBase, type: z.literal('heading'), data: z.looseObject({}).optional() }),
  z.looseObject({ ...zElementBase, type: z.literal('text'), data: z.looseObject({}).optional() }),
  z.looseObject({ ...zElementBase, type: z.literal('divider'), data: z.looseObject({}).optional() }),
]);
export type FormElement = z.infer<typeof zFormElement>;

export const zForm = z.looseObject({
  elements: z.record(z.string(), zFormElement),
  rootElementId: z.string(),
});
export type Form = z.infer<typeof zForm>;

/** `meta.version` 1.x–4.x: the editor migrates older exports, whose node data shape we read the same way. */
export const zWorkflowMeta = z.looseObject({
  version: z.string().regex(/^[1-4]\.\d+\.\d+/, 'expected a semver with major version 1 to 4'),
  category: z.string().optional(),
});

/**
 * An exported workflow (the editor's "Download Workflow" JSON). The form is validated separately
 * (an invalid form is replaced, not fatal), so it is `unknown` here.
 */
export const zWorkflowJson = z.looseObject({
  id: z.string().optional(),
  name: z.string().default(''),
  author: z.string().default(''),
  description: z.string().default(''),
  version: z.string().default(''),
  contact: z.string().default(''),
  tags: z.string().default(''),
  notes: z.string().default(''),
  exposedFields: z.array(zFieldIdentifier).default([]),
  meta: zWorkflowMeta,
  nodes: z.array(zWorkflowNode),
  edges: z.array(zWorkflowEdge).default([]),
  form: z.unknown().optional(),
});
export type WorkflowJson = z.infer<typeof zWorkflowJson>;
