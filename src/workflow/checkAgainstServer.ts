import type { FieldTableData } from './fieldTableTypes.js';
import { BATCH_NODE_TYPES, GENERATOR_NODE_TYPES, SAVED_WORKFLOW_INPUT_PREFIX } from './nodeTypes.js';
import type { Workflow } from './Workflow.js';

/** What a server lacks to run a workflow. */
export interface ServerCompatibility {
  /** True when nothing is missing. */
  ok: boolean;
  /** Invocation nodes whose type the server does not have (the server would answer 422). */
  missingNodeTypes: { nodeId: string; nodeType: string }[];
  /** Inputs the server's invocation does not declare (dropped when the graph is built). */
  missingFields: { nodeId: string; nodeType: string; fieldName: string }[];
}

/**
 * Compares a workflow with a server's invocation table (`fieldTableFromOpenApi(openapiJson)`):
 * node types and input fields the server lacks.
 */
export function checkAgainstServer(wf: Workflow, table: FieldTableData): ServerCompatibility {
  const missingNodeTypes: ServerCompatibility['missingNodeTypes'] = [];
  const missingFields: ServerCompatibility['missingFields'] = [];
  for (const node of wf.json.nodes) {
    if (node.type !== 'invocation') continue;
    const nodeType = node.data.type;
    if (BATCH_NODE_TYPES.has(nodeType) || GENERATOR_NODE_TYPES.has(nodeType)) {
      // Resolved client-side, but the editor still needs them: check their fields too when known.
      if (!table.nodes[nodeType]) continue;
    }
    const spec = table.nodes[nodeType];
    if (!spec) {
      missingNodeTypes.push({ nodeId: node.id, nodeType });
      continue;
    }
    if (spec.extra) continue;
    for (const fieldName of Object.keys(node.data.inputs)) {
      if (nodeType === 'call_saved_workflow' && fieldName.startsWith(SAVED_WORKFLOW_INPUT_PREFIX)) continue;
      if (!spec.f[fieldName]) missingFields.push({ nodeId: node.id, nodeType, fieldName });
    }
  }
  return { ok: missingNodeTypes.length === 0 && missingFields.length === 0, missingNodeTypes, missingFields };
}
