import type { RunInput } from '../../../src/run/runWorkflow.js';
import { syncModels } from '../../../src/workflow/syncModels.js';
import type { PoolServer } from './PoolServer.js';

/** A job's input as this server needs it: model references re-bound to its installed models. */
export function inputForServer(input: RunInput, server: PoolServer, rebind: boolean): RunInput {
  if (!rebind || 'batch' in input || server.models === null) return input;
  // Model keys are install-specific; hashes and names are not. A reference the server cannot
  // match is left for the server to report (its error names the node).
  try {
    return syncModels(input, server.models, { explicit: new Set() });
  } catch {
    return input;
  }
}
