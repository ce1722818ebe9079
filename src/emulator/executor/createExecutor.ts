import { DEFAULT_FIELD_TABLE, type FieldTableData } from '../../workflow/fieldTable.js';
import { executeSessionWith } from './executeSession.js';
import { TensorStore } from './tensorStore.js';
import type { ExecuteSession, ValidateGraph } from './types.js';
import { validateGraph } from './validateGraph.js';

export interface ExecutorOptions {
  /** Invocation table for defaults, validation and output shapes. @default DEFAULT_FIELD_TABLE */
  fieldTable?: FieldTableData;
  /** How many latents/mask tensors to keep between sessions. @default 256 */
  tensorCapacity?: number;
}

export interface Executor {
  validateGraph: ValidateGraph;
  executeSession: ExecuteSession;
}

/**
 * An executor whose sessions share one tensor store, so a latents or conditioning name produced
 * by one session resolves in a later one (as the server's tensor storage does).
 *
 * ## Example
 * ```ts
 * const executor = createExecutor();
 * const detail = executor.validateGraph(graph);          // [] when valid
 * const session = await executor.executeSession(id, graph, host);
 * ```
 */
export function createExecutor(options: ExecutorOptions = {}): Executor {
  const fieldTable = options.fieldTable ?? DEFAULT_FIELD_TABLE;
  const tensors = new TensorStore(options.tensorCapacity ?? 256);
  return {
    validateGraph: (graph) => validateGraph(graph, fieldTable),
    executeSession: (sessionId, graph, host) => executeSessionWith(sessionId, graph, host, { fieldTable, tensors }),
  };
}
