import { type Observable, defer, shareReplay } from 'rxjs';
import type { InvokeAIClient } from '../../../src/client/types.js';
import type { ModelConfig } from '../../../src/schemas/model.js';

/** How long a stage keeps the server's model list after its last use. */
export const MODEL_LIST_TTL = 60_000;

/**
 * The server's model list, fetched on first subscription and shared for {@link MODEL_LIST_TTL}:
 * one operator is subscribed many times (a streaming pipeline subscribes it once per prompt), and
 * each of its inputs may need the list, so it costs one request per minute, not one per input.
 */
export function modelListCache(client: InvokeAIClient): Observable<ModelConfig[]> {
  let modelList: { at: number; models$: Observable<ModelConfig[]> } | undefined;
  return defer(() => {
    const now = Date.now();
    if (!modelList || now - modelList.at > MODEL_LIST_TTL) {
      modelList = { at: now, models$: client.models.list().pipe(shareReplay({ bufferSize: 1, refCount: false })) };
    }
    return modelList.models$;
  });
}
