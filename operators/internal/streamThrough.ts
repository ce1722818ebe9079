import { connect, identity, merge, type OperatorFunction } from 'rxjs';
import type { StageOutput } from '../StageResult.js';

/**
 * Emits every value of the source and, in the same stream, what the given stages make of it:
 * `streamThrough([b, c])` over `a` emits `a`, `b(a)`, `c(b(a))`, each as soon as it lands. Each
 * stage is subscribed once (boards are resolved once, concurrency limits hold across inputs).
 */
export function streamThrough<In extends StageOutput, Out extends StageOutput>(
  stages: readonly OperatorFunction<StageOutput, Out>[],
): OperatorFunction<In, In | Out> {
  if (stages.length === 0) return identity;
  const [first, ...rest] = stages;
  // connect() subscribes both branches before the source starts, so none misses a value.
  return connect((shared) => merge(shared, shared.pipe(first!, streamThrough<Out, Out>(rest))));
}
