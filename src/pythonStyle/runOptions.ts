import type { RunWorkflowOptions } from '../run/runWorkflow.js';
import type { SubmitOptions } from './types.js';

/** The `runWorkflow` options of a submission: the Python client's `priority > 0` means `prepend`. */
export function runOptions(options: SubmitOptions): RunWorkflowOptions {
  const { priority, createBoards: _createBoards, ...rest } = options;
  return priority !== undefined && priority > 0 ? { ...rest, prepend: true } : rest;
}
