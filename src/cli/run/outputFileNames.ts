import type { RunResult, Workflow } from '../../index.js';
import { safeFileStem } from '../output/OutputDir.js';

/**
 * Output file names for a run's images: `<node label or id, sanitized>-<item id>-<n>.png`, n
 * counting from 1 per node. The queue item id makes names unique per run (a rerun never
 * overwrites); nodes whose names sanitize to the same stem get a numeric suffix.
 */
export function outputFileNames(
  outputs: RunResult['outputs'],
  itemId: number,
  labelOf: (nodeId: string) => string | undefined = () => undefined,
): { nodeId: string; imageName: string; file: string }[] {
  const used = new Set<string>();
  const files: { nodeId: string; imageName: string; file: string }[] = [];
  for (const output of outputs) {
    const name = safeFileStem(labelOf(output.nodeId)?.trim() || output.nodeId, 48);
    let stem = name;
    for (let k = 2; used.has(stem); k++) stem = `${name}_${k}`;
    used.add(stem);
    output.imageNames.forEach((imageName, i) => files.push({ nodeId: output.nodeId, imageName, file: `${stem}-${itemId}-${i + 1}.png` }));
  }
  return files;
}

/** The label the workflow gives a node (`data.label`), when it has one. */
export function nodeLabels(wf: Workflow): (nodeId: string) => string | undefined {
  const labels = new Map<string, string>();
  for (const node of wf.json.nodes) if (node.type === 'invocation' && node.data.label) labels.set(node.id, node.data.label);
  return (nodeId) => labels.get(nodeId);
}
