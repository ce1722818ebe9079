/**
 * A workflow uses invocation types the target server does not have (for example
 * `canny_image_processor`, removed from InvokeAI; its successor is `canny_edge_detection`).
 * A server would answer 422 to such a graph.
 */
export class UnknownNodeTypeError extends Error {
  override name = 'UnknownNodeTypeError' as const;
  /** Id of the first unknown node. */
  readonly nodeId: string;
  /** Type of the first unknown node. */
  readonly nodeType: string;
  /** Every unknown node, in workflow order. */
  readonly nodes: readonly { nodeId: string; nodeType: string }[];
  /** Version of the field table the types were looked up in, when known. */
  readonly serverVersion: string | null;

  constructor(args: { nodes: readonly { nodeId: string; nodeType: string }[]; serverVersion: string | null }) {
    const first = args.nodes[0] ?? { nodeId: '?', nodeType: '?' };
    const list = args.nodes.map((n) => `${n.nodeType} (node ${n.nodeId})`).join(', ');
    const server = args.serverVersion ? `InvokeAI ${args.serverVersion}` : 'the server';
    super(
      `Unknown node type${args.nodes.length > 1 ? 's' : ''} for ${server}: ${list}. ` +
        'Replace the node in the workflow editor with its current equivalent, or build with ' +
        "unknownNodeTypes: 'drop' (--drop-unknown-nodes) to skip it and its edges as the editor does.",
    );
    this.nodeId = first.nodeId;
    this.nodeType = first.nodeType;
    this.nodes = Object.freeze(args.nodes.map((n) => Object.freeze({ ...n })));
    this.serverVersion = args.serverVersion;
  }
}

export function isUnknownNodeTypeError(error: unknown): error is UnknownNodeTypeError {
  return error instanceof UnknownNodeTypeError || (error instanceof Error && error.name === 'UnknownNodeTypeError');
}
