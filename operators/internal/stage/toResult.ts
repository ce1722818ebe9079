import type { RunResult } from '../../../src/run/types.js';
import type { OutputMapping } from '../../../src/workflow/mapOutputs.js';
import { NoOutputImageError } from '../../errors/NoOutputImageError.js';
import type { StageLineage, StageName, StageResult } from '../../StageResult.js';
import { descend, imageNameOf } from '../lineage.js';
import type { StageRequest } from './stageConfig.js';

/**
 * The gallery image of a run: among the image-producing nodes that are not intermediate and
 * produced an image, the one whose `board` input is the bound `board` index; else the first one
 * with a board input exposed in the form; else the first one. A node that produced several images
 * (iteration) contributes its first.
 */
export function pickOutput(outputs: readonly OutputMapping[], boardIndex: number | undefined): OutputMapping | undefined {
  const finals = outputs.filter((o) => !o.isIntermediate && o.imageNames.length > 0);
  return (
    (boardIndex !== undefined ? finals.find((o) => o.boardInputIndex === boardIndex) : undefined) ??
    finals.find((o) => o.boardInputIndex !== null) ??
    finals[0]
  );
}

/** The StageResult of a completed run; throws NoOutputImageError when the run saved no image. */
export function toResult(
  stage: StageName,
  workflow: string,
  binding: Readonly<Record<string, number | undefined>>,
  request: StageRequest,
  values: Record<string, unknown>,
  uploaded: readonly string[],
  result: RunResult,
): StageResult {
  const output = pickOutput(result.outputs, binding['board']);
  if (!output) throw new NoOutputImageError({ stage, item_id: result.item.item_id, workflow });
  const { lineage, created } =
    request.input === null ? { lineage: baseLineage(request.prompt), created: [] as string[] } : descend(request.input);
  const { enqueuedAt, startedAt, completedAt } = result.timings;
  return {
    stage,
    imageName: output.imageNames[0]!,
    board: output.boardId,
    item_id: result.item.item_id,
    batch_id: result.item.batch_id,
    input: request.input === null ? null : imageNameOf(request.input),
    params: { ...values },
    timings: { enqueuedAt, startedAt, completedAt, durationMs: completedAt - enqueuedAt },
    lineage,
    created: [...created, ...uploaded],
    ok: true,
  };
}

/** The lineage of a chain's first image (it has no input to descend from). */
export function baseLineage(prompt: string | undefined): StageLineage {
  return prompt === undefined ? { chain: [] } : { prompt, chain: [] };
}
