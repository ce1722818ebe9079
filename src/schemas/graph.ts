import * as z from 'zod/mini';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/** One end of a graph edge. */
export const zEdgeConnection = z.object({ node_id: z.string(), field: z.string() });
export type EdgeConnection = z.infer<typeof zEdgeConnection>;

export const zGraphEdge = z.object({ source: zEdgeConnection, destination: zEdgeConnection });
export type GraphEdge = z.infer<typeof zGraphEdge>;

/**
 * An invocation as sent in a graph: `{id, type, use_cache, is_intermediate, ...inputs}`.
 * Loose: input fields are whatever the invocation declares.
 */
export const zGraphNode = z.looseObject({
  id: z.string(),
  type: z.string(),
  is_intermediate: z.optional(z.boolean()),
  use_cache: z.optional(z.boolean()),
});
export type GraphNode = z.infer<typeof zGraphNode>;

export const zGraph = z.object({
  id: z.optional(z.string()),
  nodes: z.record(z.string(), zGraphNode),
  edges: z.array(zGraphEdge),
});
export type Graph = z.infer<typeof zGraph>;

/** A graph as the server sends it: `nodes` and `edges` have server defaults, so a body may omit them. */
export const zServerGraph = z.extend(zGraph, {
  nodes: z._default(zGraph.shape.nodes, {}),
  edges: z._default(zGraph.shape.edges, []),
});

/** `ImageField`. */
const zImageField = z.object({ image_name: z.string() });
/** `VideoField`. */
const zVideoField = z.object({ video_name: z.string() });

/** `BatchDataType`: what a batch datum may substitute into a node field. */
export const zBatchItem = z.union([
  z.string(),
  z.number(),
  zImageField,
  zVideoField,
  z.array(z.union([z.string(), z.number(), zImageField, zVideoField])),
]);

/** One server-side substitution list: `items[i]` goes into `nodes[node_path][field_name]` of session i. */
export const zBatchDatum = z.object({
  node_path: z.string(),
  field_name: z.string(),
  items: z.array(zBatchItem),
});
export type BatchDatum = z.infer<typeof zBatchDatum>;

/** The `batch` of `enqueue_batch`. `data`: inner lists are zipped, outer lists are a cartesian product. */
export const zBatch = z.object({
  batch_id: z.optional(z.string()),
  origin: z.optional(z.nullable(z.string())),
  destination: z.optional(z.nullable(z.string())),
  data: z.optional(z.nullable(z.array(z.array(zBatchDatum)))),
  graph: zGraph,
  workflow: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  runs: z._default(z.int().check(z.minimum(1)), 1),
});
export type Batch = z.input<typeof zBatch>;

/** A batch as the server echoes it (`EnqueueBatchResult.batch`): server defaults may be left out. */
export const zServerBatch = z.extend(zBatch, {
  graph: zServerGraph,
  data: z.nullish(z.array(z.array(z.extend(zBatchDatum, { items: z._default(zBatchDatum.shape.items, []) })))),
});

/** Request body of `POST /api/v1/queue/{queue_id}/enqueue_batch`. */
export const zEnqueueBatchBody = z.object({ batch: zBatch, prepend: z._default(z.boolean(), false) });
export type EnqueueBatchBody = z.input<typeof zEnqueueBatchBody>;
