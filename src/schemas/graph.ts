import * as z from 'zod';

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
  is_intermediate: z.boolean().optional(),
  use_cache: z.boolean().optional(),
});
export type GraphNode = z.infer<typeof zGraphNode>;

export const zGraph = z.object({
  id: z.string().optional(),
  nodes: z.record(z.string(), zGraphNode),
  edges: z.array(zGraphEdge),
});
export type Graph = z.infer<typeof zGraph>;

/** A graph as the server sends it: `nodes` and `edges` have server defaults, so a body may omit them. */
export const zServerGraph = zGraph.extend({
  nodes: zGraph.shape.nodes.default({}),
  edges: zGraph.shape.edges.default([]),
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
  batch_id: z.string().optional(),
  origin: z.string().nullable().optional(),
  destination: z.string().nullable().optional(),
  data: z.array(z.array(zBatchDatum)).nullable().optional(),
  graph: zGraph,
  workflow: z.record(z.string(), z.unknown()).nullable().optional(),
  runs: z.number().int().min(1).default(1),
});
export type Batch = z.input<typeof zBatch>;

/** A batch as the server echoes it (`EnqueueBatchResult.batch`): server defaults may be left out. */
export const zServerBatch = zBatch.extend({
  graph: zServerGraph,
  data: z.array(z.array(zBatchDatum.extend({ items: zBatchDatum.shape.items.default([]) }))).nullish(),
});

/** Request body of `POST /api/v1/queue/{queue_id}/enqueue_batch`. */
export const zEnqueueBatchBody = z.object({ batch: zBatch, prepend: z.boolean().default(false) });
export type EnqueueBatchBody = z.input<typeof zEnqueueBatchBody>;
