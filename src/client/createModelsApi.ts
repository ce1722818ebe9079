import { map } from 'rxjs';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { zModelsList } from '../schemas/model.js';
import type { ModelsApi } from './types.js';

/** `/api/v2/models`. */
export function createModelsApi(ctx: HttpContext): ModelsApi {
  return {
    list: (filter = {}) =>
      request$(ctx, {
        method: 'GET',
        path: '/api/v2/models/',
        query: {
          base_models: typeof filter.base === 'string' ? [filter.base] : filter.base,
          model_type: filter.type,
          model_name: filter.name,
        },
        schema: zModelsList,
      }).pipe(map((list) => list.models)),
  };
}
