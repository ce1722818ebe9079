import { isAmbiguousModelNameError, isModelNotFoundError, resolveModelInput, type ModelConfig, type Workflow } from '../../index.js';
import { UsageError } from '../errors/UsageError.js';

/** A form ref as typed on the command line: an index when numeric, else a label. */
const refOf = (ref: string): number | string => (/^\d+$/.test(ref) ? Number(ref) : ref);

/** `--set REF=NAME` on a model input names an installed model (by name or key). */
export function isModelName(wf: Workflow, ref: string, value: unknown): boolean {
  return typeof value === 'string' && wf.input(refOf(ref)).kind === 'model';
}

/**
 * The workflow with each model input set by name or key to the installed model; an unknown or
 * ambiguous name is a UsageError listing the candidates (exit 2, nothing enqueued).
 */
export function setModelNames(wf: Workflow, sets: readonly (readonly [string, unknown])[], models: readonly ModelConfig[]): Workflow {
  let ready = wf;
  for (const [ref, name] of sets) {
    try {
      ready = resolveModelInput(ready, refOf(ref), String(name), models);
    } catch (error) {
      if (!isModelNotFoundError(error) && !isAmbiguousModelNameError(error)) throw error;
      throw new UsageError(`--set ${ref}=${String(name)}: ${error.message.replace(/\s*\n\s*/g, ' ')}`);
    }
  }
  return ready;
}
