export {
  runWorkflow,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_POLL_INTERVAL,
  DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET,
  type RunInput,
  type RunWorkflowOptions,
} from './runWorkflow.js';
export { bindFieldTable } from './bindFieldTable.js';
export { runWorkflowToResult } from './runWorkflowToResult.js';
export { lastResult } from './lastResult.js';
export { resultOutputs } from './resultOutputs.js';
export type { RunEvent, RunResult, RunTimeouts, RunTimings } from './types.js';
export { attach, type AttachOptions } from './attach.js';
export { cleanRun, type CleanRunImages, type CleanRunOptions, type CleanRunSummary } from './cleanRun.js';
export { cancelOnExit, type CancelOnExitOptions } from './cancelOnExit.js';
export { runBatchId, type RunPlace } from './runIds.js';
