import type { ModelLike } from '../../../src/workflow/syncModels.js';
import { modelForInput } from '../../../src/workflow/resolveModelInput.js';
import type { ResolvedBinding } from './validateBinding.js';

/**
 * Model inputs take a `ModelIdentifierField`; a model given by key or name is looked up among the
 * installed models (preferring the type and base of the model the workflow had), with the one
 * ranking the core uses. An unknown name throws a ModelNotFoundError listing the candidates; a
 * name several models fit equally well throws an AmbiguousModelNameError.
 */
export function resolveModels(binding: ResolvedBinding, values: Record<string, unknown>, models: readonly ModelLike[]): Record<string, unknown> {
  const out = { ...values };
  for (const [key, value] of Object.entries(values)) {
    const input = binding.get(key);
    if (input?.kind !== 'model' || typeof value !== 'string') continue;
    const best = modelForInput(input, value, models);
    out[key] = { key: best.key, hash: best.hash, name: best.name, base: best.base, type: best.type };
  }
  return out;
}
