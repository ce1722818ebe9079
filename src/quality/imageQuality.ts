import { map, type Observable } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { assessQuality, type QualityReport } from './assessQuality.js';

/**
 * Downloads an image from the server (full resolution PNG) and scores it with
 * {@link assessQuality}. Cold: nothing is downloaded until subscribed.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, imageQuality } from 'invokeai-rx';
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * imageQuality(client, '5d2c3f0e.png').subscribe((q) => console.log(q.score.toFixed(2)));
 * // 0.71
 * ```
 */
export function imageQuality(client: InvokeAIClient, imageName: string): Observable<QualityReport> {
  return client.images.download(imageName).pipe(map((bytes) => assessQuality(bytes)));
}
