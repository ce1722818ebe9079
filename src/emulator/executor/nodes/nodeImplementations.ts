import type { FieldTableData } from '../../../workflow/fieldTable.js';
import type { NodeImplementation } from '../nodeContext.js';
import { genericImplementation } from './generic.js';
import { generationImplementation, LATENT_NODES } from './generation.js';
import { IMAGE_NODES } from './imageNodes.js';
import { MODEL_NODES } from './models.js';
import { PRIMITIVE_NODES } from './primitives.js';
import { TILE_NODES } from './tiles.js';
import { UPSCALE_AND_FACE_NODES } from './upscaleAndFaces.js';

/** Node types with a dedicated implementation (the graph-shaping `iterate`, `collect`, `if` live in the executor). */
export const NODE_IMPLEMENTATIONS: Readonly<Record<string, NodeImplementation>> = {
  ...PRIMITIVE_NODES,
  ...IMAGE_NODES,
  ...TILE_NODES,
  ...MODEL_NODES,
  ...LATENT_NODES,
  ...UPSCALE_AND_FACE_NODES,
};

/** Executor-internal node types. */
export const GRAPH_NODE_TYPES = ['iterate', 'collect', 'if'] as const;

export type ImplementationKind = 'dedicated' | 'simulated' | 'generic';

/**
 * How a node type runs: a dedicated implementation, a schema-classified simulation (denoisers,
 * VAE encode/decode, text encoders of any model family), or the generic schema-driven fallback.
 * Undefined means the node fails with `NotImplementedError`.
 */
export function resolveImplementation(
  type: string,
  table: FieldTableData,
): { kind: ImplementationKind; run: NodeImplementation } | undefined {
  const dedicated = NODE_IMPLEMENTATIONS[type];
  if (dedicated) return { kind: 'dedicated', run: dedicated };
  const spec = table.nodes[type];
  if (!spec) return undefined;
  const outputFields = spec.out ? (table.outputs[spec.out]?.f ?? {}) : {};
  const simulated = generationImplementation(type, spec, outputFields);
  if (simulated) return { kind: 'simulated', run: simulated };
  const generic = genericImplementation(spec, table);
  return generic ? { kind: 'generic', run: generic } : undefined;
}

/** Every invocation type of the table, by how the executor runs it. */
export function supportedNodeTypes(table: FieldTableData): Record<ImplementationKind | 'graph' | 'unsupported', string[]> {
  const out: Record<ImplementationKind | 'graph' | 'unsupported', string[]> = { graph: [], dedicated: [], simulated: [], generic: [], unsupported: [] };
  for (const type of Object.keys(table.nodes).sort()) {
    if ((GRAPH_NODE_TYPES as readonly string[]).includes(type)) out.graph.push(type);
    else out[resolveImplementation(type, table)?.kind ?? 'unsupported'].push(type);
  }
  return out;
}
