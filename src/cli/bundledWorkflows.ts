import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workflows the pipeline commands run, by role: file names in `data/workflows`. */
export const BUNDLED_WORKFLOWS = {
  base: 'sdxl_base.json',
  refiner: 'sdxl_refiner.json',
  upscaler: 'esrgan_upscale.json',
  faces: 'face_restore.json',
} as const;

/**
 * The package's `data/workflows` directory. Looked up from this module's location upwards, so it
 * is found both from the sources (`src/cli/…`) and from the bundle (`dist/…`).
 *
 * @throws Error when the directory is not found (the package was installed without `data/`).
 */
export function bundledWorkflowsDir(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'data', 'workflows');
    if (existsSync(join(candidate, BUNDLED_WORKFLOWS.base))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error("Cannot find the bundled workflows (data/workflows) of invokeai-rx; pass --workflows DIR with your own exports.");
}
