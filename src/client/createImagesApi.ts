import { defer, map } from 'rxjs';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { zDeleteImagesResult, zImageDTO, zStarredImagesResult } from '../schemas/image.js';
import type { ImagesApi } from './types.js';

/** `/api/v1/images`. */
export function createImagesApi(ctx: HttpContext): ImagesApi {
  const image = (name: string, suffix = '') => `/api/v1/images/i/${encodeURIComponent(checkName(name))}${suffix}`;

  return {
    upload: (data, options = {}) =>
      defer(() => {
        // The server insists on an `image/*` part type; raw bytes are sent as PNG.
        const blob =
          data instanceof Blob && data.type.startsWith('image/')
            ? data
            : new Blob([data instanceof Blob ? data : toArrayBuffer(data)], { type: 'image/png' });
        const form = new FormData();
        form.append('file', blob, options.fileName ?? 'image.png');
        const boardId = options.board_id;
        return request$(ctx, {
          method: 'POST',
          path: '/api/v1/images/upload',
          query: {
            image_category: options.image_category ?? 'user',
            is_intermediate: options.is_intermediate ?? false,
            // 'none' is the UI's "uncategorized"; the server would answer 404 "Board not found".
            board_id: boardId === undefined || boardId === 'none' ? undefined : boardId,
          },
          form,
          schema: zImageDTO,
        });
      }),
    get: (imageName) => request$(ctx, { method: 'GET', path: image(imageName), schema: zImageDTO }),
    download: (imageName) =>
      request$<Uint8Array>(ctx, { method: 'GET', path: image(imageName, '/full'), responseType: 'bytes' }),
    blob: (imageName, options = {}) =>
      request$<Uint8Array>(ctx, {
        method: 'GET',
        path: image(imageName, options.thumbnail ? '/thumbnail' : '/full'),
        responseType: 'bytes',
      }).pipe(map((bytes) => new Blob([toArrayBuffer(bytes)], { type: options.thumbnail ? 'image/webp' : 'image/png' }))),
    downloadThumbnail: (imageName) =>
      request$<Uint8Array>(ctx, { method: 'GET', path: image(imageName, '/thumbnail'), responseType: 'bytes' }),
    delete: (imageName) => request$(ctx, { method: 'DELETE', path: image(imageName), schema: zDeleteImagesResult }),
    deleteMany: (imageNames) =>
      request$(ctx, {
        method: 'POST',
        path: '/api/v1/images/delete',
        json: { image_names: imageNames.map(checkName) },
        schema: zDeleteImagesResult,
        // Deleting the same names again deletes nothing more.
        idempotent: true,
      }),
    star: (imageNames) =>
      request$(ctx, {
        method: 'POST',
        path: '/api/v1/images/star',
        json: { image_names: imageNames.map(checkName) },
        schema: zStarredImagesResult,
        idempotent: true,
      }),
    unstar: (imageNames) =>
      request$(ctx, {
        method: 'POST',
        path: '/api/v1/images/unstar',
        json: { image_names: imageNames.map(checkName) },
        schema: zStarredImagesResult,
        idempotent: true,
      }),
  };
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`Image name must be a non-empty string (e.g. "<uuid>.png"), got ${JSON.stringify(name)}.`);
  }
  return name;
}

function toArrayBuffer(data: Uint8Array): ArrayBuffer {
  // A copy: the view may be a window into a larger (or shared) buffer.
  return data.slice().buffer as ArrayBuffer;
}
