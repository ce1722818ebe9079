import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import { syncModels } from '../../src/workflow/syncModels.js';
import type { Workflow } from '../../src/workflow/Workflow.js';

export const dataPath = (name: string): string => fileURLToPath(new URL(`../../data/workflows/${name}.json`, import.meta.url));

/** The three stage workflows of `data/workflows`, bound to the server's field table and re-bound to its models. */
export interface StageWorkflows {
  base: Workflow;
  refiner: Workflow;
  upscaler: Workflow;
}

export async function stageWorkflows(client: InvokeAIClient): Promise<StageWorkflows> {
  const models = await lastValueFrom(client.models.list());
  const fieldTable = await lastValueFrom(client.app.fieldTable());
  const load = (name: string) => syncModels(loadWorkflowFile(dataPath(name), { fieldTable }), models);
  return { base: load('sdxl_base'), refiner: load('sdxl_refiner'), upscaler: load('esrgan_upscale') };
}

/** Small values: the emulator's images stay tiny and cheap (64×64, one step). */
export const BASE_PARAMS = { width: 64, height: 64, steps: 1 } as const;
export const REFINE_PARAMS = { steps: 1 } as const;
export const UPSCALE_PARAMS = { scale: 1 } as const;

export const promptOf = (i: number): string => `benchmark prompt ${i}: a lighthouse on a cliff at dusk`;
