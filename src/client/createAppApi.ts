import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { zAppVersion } from '../schemas/app.js';
import type { AppApi } from './types.js';

/** `/api/v1/app`, and the OpenAPI document at `{basePath}/openapi.json`. */
export function createAppApi(ctx: HttpContext): AppApi {
  return {
    version: () => request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: zAppVersion }),
    openapi: () => request$<unknown>(ctx, { method: 'GET', path: '/openapi.json' }),
  };
}
