import type { Observer } from 'rxjs';
import type { ModelUse } from '../src/workflow/syncModels.js';
import type { StageName } from './StageResult.js';

/**
 * How a stage handles a workflow model the server does not have:
 * - `'none'`: the input fails with a `ModelNotFoundError` naming the field, the wanted model and
 *   the installed models of its base and type, before anything is enqueued;
 * - `'same-base'`: the first installed model (by name) of the same base and type is used instead;
 *   each substitution goes to the `warnings` sink (required then) and into `result.models`.
 *
 * Matching by key, hash, or exact name + type is never a substitution: it happens under both.
 */
export type ModelFallback = 'none' | 'same-base';

/** Something a stage did that the user should know about although the input succeeded. */
export interface StageWarning {
  stage: StageName;
  kind: 'model-substituted';
  /** One line for a log: which field, which model was wanted, which one is used. */
  message: string;
  /** The substitution (`substituted: true`). */
  model: ModelUse;
}

/** Where a stage reports warnings: a callback or anything with `next` (a Subject). */
export type WarningSink = ((warning: StageWarning) => void) | Pick<Observer<StageWarning>, 'next'>;

/** Delivers a warning to a sink (callback or observer). */
export function reportWarning(sink: WarningSink, warning: StageWarning): void {
  if (typeof sink === 'function') sink(warning);
  else sink.next(warning);
}

/** The warning for one substituted model reference. */
export function substitutionWarning(stage: StageName, model: ModelUse): StageWarning {
  const where = model.index === null ? `node ${model.nodeId} field ${model.fieldName}` : `input ${model.index} (node ${model.nodeId} field ${model.fieldName})`;
  const { wanted, used } = model;
  return {
    stage,
    kind: 'model-substituted',
    message:
      `${stage}: model ${JSON.stringify(wanted.name)} (${wanted.base}/${wanted.type}) wanted by ${where} is not installed; ` +
      `using ${JSON.stringify(used.name)} (key ${used.key}) instead (modelFallback 'same-base').`,
    model,
  };
}
