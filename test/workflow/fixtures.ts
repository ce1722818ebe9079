import { readdirSync, readFileSync } from 'node:fs';
import { WITH_6_14 } from '../support/fieldTable.js';
import { fileURLToPath } from 'node:url';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import type { Workflow } from '../../src/workflow/Workflow.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const WORKFLOW_DIRS = ['workflows/py-client', 'workflows/invokeai-defaults'] as const;

/** Every fixture workflow as `[folder/file, absolute path]`. */
export function listWorkflowFiles(): [string, string][] {
  return WORKFLOW_DIRS.flatMap((dir) =>
    readdirSync(FIXTURES + dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f): [string, string] => [`${dir}/${f}`, `${FIXTURES}${dir}/${f}`]),
  );
}

export const pyClientWorkflow = (name: string): Workflow => loadWorkflowFile(`${FIXTURES}workflows/py-client/${name}.json`, WITH_6_14);
export const defaultWorkflow = (name: string): Workflow => loadWorkflowFile(`${FIXTURES}workflows/invokeai-defaults/${name}.json`, WITH_6_14);
export const readJson = (relative: string): any => JSON.parse(readFileSync(FIXTURES + relative, 'utf8'));
export const recordedItem = (name: string): any => readJson(`api-calls/call-wf-${name}.json`);

/** Workflows that use node types InvokeAI 6.14 no longer has. */
export const STALE_WORKFLOWS = new Set([
  'workflows/invokeai-defaults/ESRGAN Upscaling with Canny ControlNet.json',
  'workflows/invokeai-defaults/Face Detailer with IP-Adapter & Canny (See Note in Details).json',
]);
