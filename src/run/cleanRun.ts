import { type Observable, concatMap, defer, from, map, reduce } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import { resultOutputs } from './resultOutputs.js';

/** Which images of a run {@link cleanRun} deletes. */
export type CleanRunImages = 'intermediates' | 'all' | 'none';

export interface CleanRunOptions {
  /**
   * `'intermediates'`: the images the run's items saved as intermediate (node `is_intermediate`);
   * `'all'`: every image the run's items made, gallery outputs included; `'none'`: no image.
   * @default 'intermediates'
   */
  images?: CleanRunImages;
}

/** What {@link cleanRun} did. */
export interface CleanRunSummary {
  /** Queue items of the run that were still pending or running and are now canceled. */
  canceled: number;
  deletedImages: string[];
  /** Images the run's items made that the `images` option keeps. */
  keptImages: string[];
  /** Images the server did not delete (already gone, or refused). */
  failedDeletes: string[];
}

/** Deletes at most this many images per request. */
const DELETE_CHUNK = 100;

/**
 * Ends a durable run on the server: cancels its unfinished queue items (`PUT cancel_by_destination`,
 * the run id being their destination) and deletes the images its items made.
 *
 * Only images in the `session.results` of the run's own items (items whose destination is the run
 * id) are candidates, and an image that is an input of the item (an `image` node, a value in the
 * graph) never is: images of another run, uploads and pictures the run only read are never
 * deleted. Run it when the run's clients are gone (a run still subscribed would see its items
 * canceled). Images a canceled item writes after the listing are not seen.
 *
 * ## Example
 * ```ts
 * import { cleanRun } from 'invokeai-rx';
 * cleanRun(client, 'nightly-2024-06-01').subscribe((s) => console.log(s));
 * // { canceled: 2, deletedImages: ['…png', …], keptImages: ['…png', …], failedDeletes: [] }
 * ```
 *
 * @param client The server connection.
 * @param runId The run id the run's stages were given.
 * @param options Which images to delete.
 * @return An Observable that emits one {@link CleanRunSummary} and completes.
 */
export function cleanRun(client: InvokeAIClient, runId: string, options: CleanRunOptions = {}): Observable<CleanRunSummary> {
  const mode = options.images ?? 'intermediates';
  if (typeof runId !== 'string' || runId.length === 0) throw new TypeError(`cleanRun: runId must be a non-empty string, got ${JSON.stringify(runId)}.`);
  if (!['intermediates', 'all', 'none'].includes(mode)) {
    throw new TypeError(`cleanRun: images must be 'intermediates', 'all' or 'none', got ${JSON.stringify(mode)}.`);
  }
  return defer(() => client.queue.cancelByDestination(runId)).pipe(
    concatMap(({ canceled }) =>
      client.queue.listAll({ destination: runId }).pipe(
        concatMap((items) => {
          const { remove, keep } = runImages(items.filter((i) => i.destination === runId), mode);
          const chunks: string[][] = [];
          for (let i = 0; i < remove.length; i += DELETE_CHUNK) chunks.push(remove.slice(i, i + DELETE_CHUNK));
          return from(chunks).pipe(
            concatMap((names) => client.images.deleteMany(names).pipe(map((r) => ({ names, deleted: r.deleted_images })))),
            reduce(
              (acc, { names, deleted }) => {
                for (const n of names) (deleted.includes(n) ? acc.deletedImages : acc.failedDeletes).push(n);
                return acc;
              },
              { canceled, deletedImages: [] as string[], keptImages: keep, failedDeletes: [] as string[] },
            ),
          );
        }),
      ),
    ),
  );
}

/** The images the items made, split by what `mode` deletes. */
export function runImages(items: readonly SessionQueueItem[], mode: CleanRunImages): { remove: string[]; keep: string[] } {
  const remove = new Set<string>();
  const keep = new Set<string>();
  for (const item of items) {
    const inputs = graphImageNames(item);
    for (const output of resultOutputs(item).outputs) {
      const deletes = mode === 'all' || (mode === 'intermediates' && output.isIntermediate);
      for (const name of output.imageNames) if (!inputs.has(name)) (deletes ? remove : keep).add(name);
    }
  }
  for (const name of remove) keep.delete(name);
  return { remove: [...remove], keep: [...keep] };
}

/** Image names given to the item as values (inputs, not outputs). */
function graphImageNames(item: SessionQueueItem): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const name = (value as { image_name?: unknown }).image_name;
      if (typeof name === 'string') names.add(name);
      Object.values(value).forEach(visit);
    }
  };
  visit(item.session?.graph?.nodes);
  visit(item.field_values);
  return names;
}
