import type { EmulatorContext } from '../emulatorContext.js';
import { Router } from '../http/router.js';
import { openApiDocument } from '../openApiDocument.js';
import { appRoutes } from '../routes/appRoutes.js';
import { boardRoutes } from '../routes/boardRoutes.js';
import { faultRoutes } from '../routes/faultRoutes.js';
import { imageRoutes } from '../routes/imageRoutes.js';
import { modelRoutes } from '../routes/modelRoutes.js';
import { queueRoutes } from '../routes/queueRoutes.js';

export interface Routers {
  /** The InvokeAI API, with `/openapi.json` describing it. */
  router: Router;
  /** The fault controls under `FAULT_PREFIX`: not counted, not faulted, not authenticated. */
  faultRouter: Router;
}

export function createRouters(emu: EmulatorContext): Routers {
  const routes = [...queueRoutes(emu), ...imageRoutes(emu), ...boardRoutes(emu), ...modelRoutes(emu), ...appRoutes(emu)];
  const router = new Router().add(...routes);
  let openApi: string | undefined;
  router.add({
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    handler: () => ({ status: 200, json: undefined, bytes: Buffer.from((openApi ??= JSON.stringify(openApiDocument(undefined, routes)))), contentType: 'application/json' }),
  });
  return { router, faultRouter: new Router().add(...faultRoutes(emu.faults)) };
}
