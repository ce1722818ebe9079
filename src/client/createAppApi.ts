import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { zAppVersion, zSetupStatus } from '../schemas/app.js';
import type { AppApi } from './types.js';

/** `/api/v1/app`, and the OpenAPI document at `{basePath}/openapi.json`. */
export function createAppApi(ctx: HttpContext): AppApi {
  return {
    version: () => request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: zAppVersion }),
    authStatus: () => request$(ctx, { method: 'GET', path: '/api/v1/auth/status', schema: zSetupStatus }),
    openapi: () => request$<unknown>(ctx, { method: 'GET', path: '/openapi.json' }),
  };
}
