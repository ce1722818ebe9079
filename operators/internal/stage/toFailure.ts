import type { FailureSink, ImageInput, StageFailure, StageFallback, StageName } from '../../StageResult.js';
import { imageNameOf, lineageOf } from '../lineage.js';
import type { StageRequest } from './stageConfig.js';
import { baseLineage } from './toResult.js';

/** What `onError: 'fallback'` emits: the input image passed through, with the error. */
export function toFallback(
  stage: StageName,
  input: ImageInput,
  values: Record<string, unknown>,
  error: unknown,
  itemId: number | null,
  uploaded: readonly string[],
): StageFallback {
  const { lineage, created, owned, board } = lineageOf(input);
  return {
    stage,
    imageName: imageNameOf(input),
    board,
    item_id: itemIdOf(error) ?? itemId,
    batch_id: batchIdOf(error),
    input: imageNameOf(input),
    params: { ...values },
    timings: null,
    lineage,
    created: [...created, ...uploaded],
    ok: false,
    error,
    inputCreated: owned,
  };
}

/** What the failures sink receives (and `cleanup` reads off a rethrown error) for an input given up on. */
export function toFailure(
  stage: StageName,
  item: unknown,
  request: StageRequest | undefined,
  values: Record<string, unknown>,
  error: unknown,
  itemId: number | null,
  uploaded: readonly string[],
): StageFailure {
  const input = request?.input ?? (typeof item === 'string' && stage !== 'generateBase' ? item : null);
  const inputName = input === null ? null : imageNameOf(input);
  const { lineage, created, owned } = input === null ? { lineage: baseLineage(request?.prompt), created: [], owned: false } : lineageOf(input);
  const failure: StageFailure = {
    stage,
    input: inputName,
    params: { ...values },
    error,
    item_id: itemIdOf(error) ?? itemId,
    lineage,
    created: [...created, ...(owned && inputName !== null ? [inputName] : []), ...uploaded],
    ok: false,
  };
  const prompt = request?.prompt ?? lineage.prompt;
  if (prompt !== undefined) failure.prompt = prompt;
  return failure;
}

/** Hands a failure to the sink, a callback or a Subject. */
export function reportFailure(sink: FailureSink | undefined, failure: StageFailure): void {
  if (!sink) return;
  if (typeof sink === 'function') sink(failure);
  else sink.next(failure);
}

function itemIdOf(error: unknown): number | null {
  const id = (error as { item_id?: unknown } | null)?.item_id;
  return typeof id === 'number' ? id : null;
}

function batchIdOf(error: unknown): string | null {
  const e = error as { batch_id?: unknown; item?: { batch_id?: unknown } } | null;
  const id = e?.batch_id ?? e?.item?.batch_id;
  return typeof id === 'string' ? id : null;
}
