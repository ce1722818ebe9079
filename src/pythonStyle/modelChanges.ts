import { type ModelIdentifier, zModelIdentifier } from '../workflow/fieldKinds.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { ModelSyncChange } from './types.js';

/** Model references that differ between two versions of a workflow (same nodes). */
export function modelChanges(before: Workflow, after: Workflow): ModelSyncChange[] {
  const changes: ModelSyncChange[] = [];
  const old = new Map(before.json.nodes.map((n) => [n.id, n]));
  for (const node of after.json.nodes) {
    if (node.type !== 'invocation') continue;
    const prev = old.get(node.id);
    if (!prev || prev.type !== 'invocation') continue;
    for (const [fieldName, input] of Object.entries(node.data.inputs)) {
      const to = zModelIdentifier.safeParse(input.value);
      const from = zModelIdentifier.safeParse(prev.data.inputs[fieldName]?.value);
      if (!to.success || !from.success || sameModel(from.data, to.data)) continue;
      const formInput = after.inputs.find((i) => i.nodeId === node.id && i.fieldName === fieldName);
      changes.push({ nodeId: node.id, fieldName, inputIndex: formInput ? formInput.index : null, from: from.data, to: to.data });
    }
  }
  return changes;
}

function sameModel(a: ModelIdentifier, b: ModelIdentifier): boolean {
  return a.key === b.key && a.hash === b.hash && a.name === b.name && a.base === b.base && a.type === b.type;
}
