import { bundledWorkflowPath, type BundledWorkflowName } from './bundledWorkflowPath.js';
import { loadWorkflowFile } from './loadWorkflowFile.js';
import type { ParseWorkflowOptions } from './parseWorkflow.js';
import type { Workflow } from './Workflow.js';

/**
 * Loads one of the workflows shipped with the package (Node only), wherever it is installed:
 * `loadBundledWorkflow('sdxl_base')`. The bundled exports name their models; bind them to a
 * server's with `syncModels`.
 * @throws TypeError for a name that is not bundled; see {@link bundledWorkflowPath}.
 */
export function loadBundledWorkflow(name: BundledWorkflowName, options: Omit<ParseWorkflowOptions, 'source'> = {}): Workflow {
  return loadWorkflowFile(bundledWorkflowPath(name), options);
}
