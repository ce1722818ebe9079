import { isStageOutput } from '../../StageResult.js';
import type { StageName } from '../../StageResult.js';
import type { StageRequest } from './stageConfig.js';

/** Where one input's work sits in a durable run. */
export interface StagePlace {
  key: string;
  /** The depth of the image this work makes: 0 for the first stage of a chain. */
  depth: number;
  /** `runWorkflow`'s `runPosition`. */
  position: string;
}

/** An input object's own `key`, taken off the values the stage binds. */
export function splitKey<In>(item: In): { item: In; key: string | undefined } {
  if (typeof item !== 'object' || item === null || isStageOutput(item) || !('key' in item)) return { item, key: undefined };
  const { key, ...rest } = item as Record<string, unknown>;
  if (typeof key !== 'string' && typeof key !== 'number') throw new TypeError(`an input's key must be a string or a number, got ${JSON.stringify(key)}.`);
  return { item: rest as In, key: String(key) };
}

/** The place of one input (see `StageConfig.runId` for how the key is chosen). */
export function stagePlace(stage: StageName, request: StageRequest, explicitKey: string | undefined, index: number): StagePlace {
  const input = request.input;
  const key =
    explicitKey ??
    (input === null ? String(index) : isStageOutput(input) ? (input.lineage.key ?? input.imageName) : input);
  const depth = input === null ? 0 : isStageOutput(input) ? (input.lineage.depth ?? 0) + 1 : 1;
  return { key, depth, position: JSON.stringify([stage, key, depth]) };
}
