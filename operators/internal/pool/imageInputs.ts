import type { RunInput } from '../../../src/run/runWorkflow.js';

/**
 * The names of the images a run reads: every `{ image_name }` value (or list of them) set on a
 * node of the workflow, or on a node of a prebuilt batch's graph and in its sweeps. A pool uses
 * them to run a job on the server that holds its input images.
 */
export function imageInputs(input: RunInput): string[] {
  const names = new Set<string>();
  if ('batch' in input) {
    for (const node of Object.values(input.batch.graph.nodes ?? {})) {
      for (const value of Object.values(node as Record<string, unknown>)) collect(value, names);
    }
    for (const inner of input.batch.data ?? []) for (const datum of inner) for (const item of datum.items) collect(item, names);
  } else {
    for (const node of input.json.nodes) {
      if (node.type !== 'invocation') continue;
      for (const field of Object.values(node.data.inputs)) collect(field.value, names);
    }
  }
  return [...names];
}

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into);
    return;
  }
  const name = (value as { image_name?: unknown } | null | undefined)?.image_name;
  if (typeof name === 'string' && name !== '') into.add(name);
}
