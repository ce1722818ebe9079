import { modelNameNotFound, modelsNamed } from '../workflow/resolveModelName.js';
import type { ModelLike } from '../workflow/syncModels.js';
import type { Workflow } from '../workflow/Workflow.js';

/**
 * Sets every model input holding a name to the installed model of that name, trying the
 * candidates best first (the input's type, then its base).
 * @throws ModelNotFoundError for the first name no installed model fits.
 */
export function resolveModelNames(wf: Workflow, names: ReadonlyMap<number, string>, models: readonly ModelLike[]): Workflow {
  let next = wf;
  for (const [index, name] of names) {
    const input = next.inputs[index]!;
    let resolved: Workflow | null = null;
    for (const m of modelsNamed(input, name, models)) {
      try {
        resolved = next.set(index, { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type });
        break;
      } catch {
        // Wrong base or type for this input: try the next model of that name.
      }
    }
    if (!resolved) throw modelNameNotFound(input, name, models);
    next = resolved;
  }
  return next;
}
