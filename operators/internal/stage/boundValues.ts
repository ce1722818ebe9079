import { BindingError } from '../../errors/BindingError.js';
import type { ResolvedBinding } from './validateBinding.js';

/** The entries whose value is set: an `undefined` value means "not given", never "send undefined". */
export function definedEntries(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** Throws a BindingError for a value the binding has no form index for (it would be lost silently). */
export function checkBound(
  stage: string,
  workflow: string,
  binding: ResolvedBinding,
  values: Record<string, unknown>,
  where: string,
): void {
  for (const key of Object.keys(values)) {
    if (key === 'image' || binding.has(key)) continue;
    throw new BindingError({
      stage,
      workflow,
      key,
      problem: 'not-bound',
      detail: `${where} sets ${JSON.stringify(key)}, but the binding has no index for it. Add it to the binding or drop the value.`,
    });
  }
}

/** Semantic values → `workflow.with` values (form index → value). */
export function toIndexed(binding: ResolvedBinding, values: Record<string, unknown>): Record<number, unknown> {
  const indexed: Record<number, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const input = binding.get(key);
    if (input && value !== undefined) indexed[input.index] = value;
  }
  return indexed;
}

/** The values without model names, which only the server's model list can turn into workflow values. */
export function withoutUnresolvedModels(binding: ResolvedBinding, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => !(binding.get(k)?.kind === 'model' && typeof v === 'string')));
}

/** Whether some model input is set by name (and so needs the server's model list). */
export function hasModelNames(binding: ResolvedBinding, values: Record<string, unknown>): boolean {
  return Object.entries(values).some(([k, v]) => binding.get(k)?.kind === 'model' && typeof v === 'string');
}
