import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_WORKFLOW_NAMES, bundledWorkflowPath, type BundledWorkflowName } from '../../src/workflow/bundledWorkflowPath.js';
import { loadBundledWorkflow } from '../../src/workflow/loadBundledWorkflow.js';

const dataDir = fileURLToPath(new URL('../../data/workflows/', import.meta.url));

describe('bundled workflows', () => {
  it('names exactly the files in data/workflows', () => {
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
    expect([...BUNDLED_WORKFLOW_NAMES].sort()).toEqual(files.sort());
  });

  it('resolves a name to the file in data/workflows, whatever the current directory', () => {
    expect(bundledWorkflowPath('sdxl_base')).toBe(`${dataDir}sdxl_base.json`);
  });

  it('loads every bundled workflow with its path as the source', () => {
    for (const name of BUNDLED_WORKFLOW_NAMES) {
      const wf = loadBundledWorkflow(name);
      expect(wf.source).toBe(`${dataDir}${name}.json`);
      expect(wf.inputs.length).toBeGreaterThan(0);
    }
  });

  it('refuses a name that is not bundled, listing the bundled ones', () => {
    expect(() => loadBundledWorkflow('../package' as BundledWorkflowName)).toThrow(TypeError);
    expect(() => bundledWorkflowPath('sdxl' as BundledWorkflowName)).toThrow(/not a bundled workflow; the bundled ones are esrgan_upscale, face_restore/);
  });
});
