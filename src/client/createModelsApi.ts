import { map } from 'rxjs';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import * as z from 'zod/mini';
import { zModelConfig } from '../schemas/model.js';
import { keepValidEntries, zEntries } from './keepValidEntries.js';
import type { ModelsApi } from './types.js';
import { consoleWarning } from './warnings.js';

/** `ModelsList`, its entries read one by one. */
const zModelEntries = z.looseObject({ models: zEntries });

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
        schema: zModelEntries,
      }).pipe(map((list) => keepValidEntries(list.models, zModelConfig, 'models.list', ctx.warn ?? consoleWarning, 'key'))),
  };
}
