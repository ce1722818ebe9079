import { AmbiguousModelNameError } from '../errors/AmbiguousModelNameError.js';
import { InputValueError } from '../errors/InputValueError.js';
import { zModelIdentifier, type ModelIdentifier } from './fieldKinds.js';
import { modelFitRank, modelNameNotFound, modelsNamed } from './resolveModelName.js';
import type { ModelLike } from './syncModels.js';
import type { Workflow, WorkflowInput } from './Workflow.js';

/**
 * The installed model a model input names: the model with that key, else the one called so that
 * fits the input best (same type and base as the model the input held, see `modelsNamed`).
 *
 * @throws ModelNotFoundError when no installed model has that key or name, listing the installed
 *   models of the input's base and type.
 * @throws AmbiguousModelNameError when several models of that name fit the input equally well.
 * @throws InputValueError when the input is not a model input.
 */
export function modelForInput<M extends ModelLike>(input: WorkflowInput, nameOrKey: string, models: readonly M[]): M {
  if (input.kind !== 'model') {
    throw new InputValueError({
      index: input.index,
      label: input.label,
      kind: input.kind,
      value: nameOrKey,
      allowed: `a ${input.kind} value (only model inputs take a model name or key)`,
    });
  }
  const byKey = models.find((m) => m.key === nameOrKey);
  if (byKey) return byKey;
  const named = modelsNamed(input, nameOrKey, models);
  if (named.length === 0) throw modelNameNotFound(input, nameOrKey, models);
  const rank = modelFitRank(input);
  const best = named.filter((m) => rank(m) === rank(named[0]!));
  if (best.length > 1) {
    throw new AmbiguousModelNameError({
      index: input.index,
      nodeId: input.nodeId,
      fieldName: input.fieldName,
      modelName: nameOrKey,
      candidates: best.map(({ key, hash, name, base, type }) => ({ key, hash, name, base, type })),
    });
  }
  return named[0]!;
}

/**
 * A new Workflow with a model input (form index or unique label) set to the installed model with
 * that key or name, as the user would pick it from a list: `resolveModelInput(wf, 0,
 * 'stable-diffusion-v1-5', models)`. The input becomes explicit, so `syncModels` leaves it alone.
 * `models` is the server's list (`client.models.list()`).
 *
 * @throws ModelNotFoundError, AmbiguousModelNameError, InputValueError (see {@link modelForInput}).
 */
export function resolveModelInput(wf: Workflow, ref: number | string, nameOrKey: string, models: readonly ModelLike[]): Workflow {
  const input = wf.input(ref);
  const m = modelForInput(input, nameOrKey, models);
  const value: ModelIdentifier = { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type };
  // A loader's field may carry a submodel (vae of a main model, …): keep it.
  const current = zModelIdentifier.safeParse(input.value);
  if (current.success && current.data.submodel_type) value.submodel_type = current.data.submodel_type;
  return wf.set(input.index, value);
}
