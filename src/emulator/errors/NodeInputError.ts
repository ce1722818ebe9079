import type { GraphNode } from '../../schemas/graph.js';
import { InvocationError } from './InvocationError.js';

/** Raised while copying upstream outputs into a node (`NodeInputError`); the node never starts. */
export class NodeInputError extends InvocationError {
  readonly node: GraphNode;
  constructor(node: GraphNode, field: string) {
    super('NodeInputError', `Node ${node.id} has invalid incoming input for ${field}`);
    this.node = node;
  }
}

export function isNodeInputError(e: unknown): e is NodeInputError {
  return e instanceof NodeInputError;
}
