import { ReplaySubject, type Observable, map, share } from 'rxjs';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { zAppVersion, zSetupStatus } from '../schemas/app.js';
import { fieldTableFromOpenApi } from '../workflow/fieldTableFromOpenApi.js';
import type { FieldTableData } from '../workflow/fieldTableTypes.js';
import type { AppApi } from './types.js';

/** `/api/v1/app`, and the OpenAPI document at `{basePath}/openapi.json`. */
export function createAppApi(ctx: HttpContext): AppApi {
  const openapi = () => request$<unknown>(ctx, { method: 'GET', path: '/openapi.json' });
  // One request per client, shared by every caller; the request is retried per the client's
  // policy, and a failure is not kept: the next subscriber asks again.
  const fieldTable$: Observable<FieldTableData> = openapi().pipe(
    map((doc) => fieldTableFromOpenApi(doc)),
    share({ connector: () => new ReplaySubject(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true }),
  );
  return {
    version: () => request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: zAppVersion }),
    authStatus: () => request$(ctx, { method: 'GET', path: '/api/v1/auth/status', schema: zSetupStatus }),
    openapi,
    fieldTable: () => fieldTable$,
  };
}
