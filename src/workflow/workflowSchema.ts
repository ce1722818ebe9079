import * as z from 'zod/mini';
import { englishIssueMessages } from '../schemas/englishIssueMessages.js';

englishIssueMessages();

// Loose objects throughout: exports carry editor-only keys (position, isOpen, nodePack, width, …)
// and newer editors add more; the client reads only what it needs and passes the rest through.

/** One input of an invocation node as exported: only `value` reaches the graph. */
export const zWorkflowFieldInput = z.looseObject({
  name: z.optional(z.string()),
  label: z.optional(z.string()),
  description: z.optional(z.string()),
  value: z.optional(z.unknown()),
});
export type WorkflowFieldInput = z.infer<typeof zWorkflowFieldInput>;

export const zInvocationNodeData = z.looseObject({
  id: z.optional(z.string()),
  /** Invocation type, e.g. `img_resize`. */
  type: z.string().check(z.minLength(1)),
  version: z.optional(z.string()),
  label: z.optional(z.string()),
  notes: z.optional(z.string()),
  isIntermediate: z.optional(z.boolean()),
  useCache: z.optional(z.boolean()),
  inputs: z.record(z.string(), zWorkflowFieldInput),
});
export type InvocationNodeData = z.infer<typeof zInvocationNodeData>;

export const zInvocationNode = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: z.literal('invocation'),
  data: zInvocationNodeData,
});
export type InvocationNode = z.infer<typeof zInvocationNode>;

/** `notes` (UI comment) and `connector` (reroute dot) nodes: never sent to the server. */
export const zUiNode = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: z.enum(['notes', 'connector']),
  data: z.optional(z.looseObject({})),
});

export const zWorkflowNode = z.discriminatedUnion('type', [zInvocationNode, zUiNode]);
export type WorkflowNode = z.infer<typeof zWorkflowNode>;

/** `default` edges carry data; `collapsed` edges are drawn between collapsed nodes only. */
export const zWorkflowEdge = z.looseObject({
  id: z.optional(z.string()),
  type: z.optional(z.string()),
  source: z.string(),
  target: z.string(),
  sourceHandle: z.nullish(z.string()),
  targetHandle: z.nullish(z.string()),
});
export type WorkflowEdge = z.infer<typeof zWorkflowEdge>;

export const zFieldIdentifier = z.object({ nodeId: z.string(), fieldName: z.string() });
export type FieldIdentifier = z.infer<typeof zFieldIdentifier>;

/** `node-field` settings: number bounds/components and string dropdown options. */
export const zNodeFieldSettings = z.looseObject({
  type: z.optional(z.string()),
  component: z.optional(z.string()),
  min: z.nullish(z.number()),
  max: z.nullish(z.number()),
  showShuffle: z.optional(z.boolean()),
  options: z.optional(z.array(z.looseObject({ label: z.optional(z.string()), value: z.string() }))),
});
export type NodeFieldSettings = z.infer<typeof zNodeFieldSettings>;

const zElementBase = { id: z.string(), parentId: z.optional(z.string()) };

export const zFormElement = z.discriminatedUnion('type', [
  z.looseObject({
    ...zElementBase,
    type: z.literal('container'),
    data: z.looseObject({ layout: z.optional(z.string()), children: z.array(z.string()) }),
  }),
  z.looseObject({
    ...zElementBase,
    type: z.literal('node-field'),
    data: z.looseObject({
      fieldIdentifier: zFieldIdentifier,
      showDescription: z.optional(z.boolean()),
      settings: z.optional(zNodeFieldSettings),
    }),
  }),
  z.looseObject({ ...zElementBase, type: z.literal('heading'), data: z.optional(z.looseObject({})) }),
  z.looseObject({ ...zElementBase, type: z.literal('text'), data: z.optional(z.looseObject({})) }),
  z.looseObject({ ...zElementBase, type: z.literal('divider'), data: z.optional(z.looseObject({})) }),
]);
export type FormElement = z.infer<typeof zFormElement>;

export const zForm = z.looseObject({
  elements: z.record(z.string(), zFormElement),
  rootElementId: z.string(),
});
export type Form = z.infer<typeof zForm>;

/** `meta.version` 1.x–4.x: the editor migrates older exports, whose node data shape we read the same way. */
export const zWorkflowMeta = z.looseObject({
  version: z.string().check(z.regex(/^[1-4]\.\d+\.\d+/, 'expected a semver with major version 1 to 4')),
  category: z.optional(z.string()),
});

/**
 * An exported workflow (the editor's "Download Workflow" JSON). The form is validated separately
 * (an invalid form is replaced, not fatal), so it is `unknown` here.
 */
export const zWorkflowJson = z.looseObject({
  id: z.optional(z.string()),
  name: z._default(z.string(), ''),
  author: z._default(z.string(), ''),
  description: z._default(z.string(), ''),
  version: z._default(z.string(), ''),
  contact: z._default(z.string(), ''),
  tags: z._default(z.string(), ''),
  notes: z._default(z.string(), ''),
  exposedFields: z._default(z.array(zFieldIdentifier), []),
  meta: zWorkflowMeta,
  nodes: z.array(zWorkflowNode),
  edges: z._default(z.array(zWorkflowEdge), []),
  form: z.optional(z.unknown()),
});
export type WorkflowJson = z.infer<typeof zWorkflowJson>;
