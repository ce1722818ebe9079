import type { StageFailure } from '../StageResult.js';

// Errors keep their own type when a stage rethrows them (`onError: 'throw'`), so what `cleanup`
// needs to know about the failed input travels beside the error instead of wrapping it.
const contexts = new WeakMap<object, StageFailure>();

/** Remembers which input an error (about to end the stream) belongs to. */
export function attachFailure(error: unknown, failure: StageFailure): void {
  if (typeof error === 'object' && error !== null && !contexts.has(error)) contexts.set(error, failure);
}

/** The failure a stage attached to an error, if any. */
export function failureOf(error: unknown): StageFailure | undefined {
  return typeof error === 'object' && error !== null ? contexts.get(error) : undefined;
}
