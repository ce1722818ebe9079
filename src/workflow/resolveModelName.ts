import { ModelNotFoundError } from '../errors/ModelNotFoundError.js';
import { zModelIdentifier } from './fieldKinds.js';
import type { ModelLike } from './syncModels.js';
import type { WorkflowInput } from './Workflow.js';

/**
 * The installed models called `name`, best first for a model input: a model of the type the input
 * held before ranks above one of its base only, which ranks above any other. Empty when the
 * server has no model of that name.
 */
export function modelsNamed<M extends ModelLike>(input: WorkflowInput, name: string, models: readonly M[]): M[] {
  const rank = modelFitRank(input);
  return models.filter((m) => m.name === name).sort((a, b) => rank(a) - rank(b));
}

/**
 * How well a model fits a model input, lower is better: 0 same type and base as the model the
 * input held, 1 same type only, 2 same base only, 3 neither (all 0 when the input held no model).
 */
export function modelFitRank(input: WorkflowInput): (m: ModelLike) => number {
  const current = zModelIdentifier.safeParse(input.value);
  // Type mismatches weigh more than base mismatches: a refiner must stay a main model.
  return (m) => (current.success ? (m.type === current.data.type ? 0 : 2) + (m.base === current.data.base ? 0 : 1) : 0);
}

/** The error for a model input set by `name` that matches no installed model, with its candidates. */
export function modelNameNotFound(input: WorkflowInput, name: string, models: readonly ModelLike[]): ModelNotFoundError {
  const current = zModelIdentifier.safeParse(input.value);
  const base = current.success ? current.data.base : 'any';
  const type = current.success ? current.data.type : 'any';
  const fits = (m: ModelLike) => (base === 'any' || m.base === base) && (type === 'any' || m.type === type);
  return new ModelNotFoundError({
    index: input.index,
    nodeId: input.nodeId,
    fieldName: input.fieldName,
    wanted: { key: '', hash: '', name, base, type },
    candidates: models.filter(fits).map(({ key, hash, name, base, type }) => ({ key, hash, name, base, type })),
    tried: ['name'],
  });
}
