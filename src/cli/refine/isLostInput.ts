import { isHttpError, isQueueItemFailedError } from '../../index.js';

/** Server exceptions that mean an image a node was given no longer exists. */
const LOST_IMAGE_ERRORS = new Set(['ImageRecordNotFoundException', 'ImageFileNotFoundException']);

/**
 * Whether a stage failed because the server lost its input image (deleted, or gone with a
 * server reset): the chain can be made again from its prompt, unlike a deterministic failure.
 */
export function isLostInput(error: unknown): boolean {
  if (isQueueItemFailedError(error)) return error.error_type !== null && LOST_IMAGE_ERRORS.has(error.error_type);
  return isHttpError(error) && error.status === 404 && /\/api\/v1\/images\/i\//.test(error.url);
}
