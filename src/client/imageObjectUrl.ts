import { Observable } from 'rxjs';
import type { InvokeAIClient } from './types.js';

/**
 * An object URL for a server image, fetched through the client (with its token), for
 * `<img src>` in a browser. The URL lives while the subscription does: unsubscribing revokes it.
 *
 * ```ts
 * const sub = imageObjectUrl(client, result.imageName).subscribe((url) => (img.src = url));
 * // later, when the image leaves the page:
 * sub.unsubscribe();
 * ```
 */
export function imageObjectUrl(client: InvokeAIClient, imageName: string, options: { thumbnail?: boolean } = {}): Observable<string> {
  return new Observable<string>((subscriber) => {
    let url: string | null = null;
    const inner = client.images.blob(imageName, options).subscribe({
      next: (blob) => {
        url = URL.createObjectURL(blob);
        subscriber.next(url);
      },
      error: (error: unknown) => subscriber.error(error),
      // Stays open: completing would invite callers to drop the subscription and leak the URL.
    });
    return () => {
      inner.unsubscribe();
      if (url !== null) URL.revokeObjectURL(url);
    };
  });
}
