export type {
  AppApi,
  BoardsApi,
  ClientOptions,
  EventsApi,
  ImagesApi,
  ModelFilter,
  ModelsApi,
  QueueApi,
  ResolvedClientConfig,
  SocketFactory,
  SocketLike,
  UploadImageOptions,
} from './types.js';
// Both the client interface (type) and its value companion (`InvokeAIClient.fromUrl`).
export { InvokeAIClient } from './InvokeAIClient.js';
export { createInvokeAIClient } from './createInvokeAIClient.js';
export { imageObjectUrl } from './imageObjectUrl.js';
export { DEFAULT_QUEUE_ID, DEFAULT_TIMEOUT, resolveConfig, type InvokeAIClientConfig } from './config.js';
export { parseServerUrl, type ServerLocation } from './parseServerUrl.js';
export { createQueueApi } from './createQueueApi.js';
export { createImagesApi } from './createImagesApi.js';
export { createBoardsApi } from './createBoardsApi.js';
export { createModelsApi } from './createModelsApi.js';
export { createAppApi } from './createAppApi.js';
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from '../http/retry.js';
