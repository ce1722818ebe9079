import { nodeModule } from './nodeModule.js';

/** The workflows shipped in the package's `data/workflows` folder (see `data/README.md`). */
export const BUNDLED_WORKFLOW_NAMES = [
  'esrgan_upscale',
  'face_restore',
  'masked_refine',
  'sdxl_base',
  'sdxl_refiner',
  'sdxl_with_refiner',
] as const;

/** The name of a bundled workflow: its file name in `data/workflows` without `.json`. */
export type BundledWorkflowName = (typeof BUNDLED_WORKFLOW_NAMES)[number];

/**
 * The absolute path of a bundled workflow (Node only), e.g. for `WorkflowDefinition.fromFile` or
 * the CLI. Resolved through the package's own `exports` (`invokeai-rx/data/*`) from this module, so
 * it works from the ESM and the CommonJS build wherever the package is installed, whatever the
 * current directory.
 *
 * @throws TypeError when `name` is not a bundled workflow, or outside Node (>= 20.16).
 * @throws Error when the package's files cannot be found (the package was bundled into an app).
 */
export function bundledWorkflowPath(name: BundledWorkflowName): string {
  if (!(BUNDLED_WORKFLOW_NAMES as readonly string[]).includes(name)) {
    throw new TypeError(`"${String(name)}" is not a bundled workflow; the bundled ones are ${BUNDLED_WORKFLOW_NAMES.join(', ')}.`);
  }
  const specifier = `invokeai-rx/data/workflows/${name}.json`;
  const { createRequire } = nodeModule('bundledWorkflowPath', 'parseWorkflow(text) with a workflow you fetched');
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch (cause) {
    throw new Error(
      `Cannot find ${specifier}: the bundled workflows are read from the installed invokeai-rx package, ` +
        'which an app bundle does not contain. Copy the workflow next to your app and use loadWorkflowFile(path).',
      { cause },
    );
  }
}
