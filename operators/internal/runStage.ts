// Superseded by the public entry point: import these from `operators/index.ts`.
export type { RunOptions, RunWorkflowFn } from './stage/stageConfig.js';
