import type { Subscriber, Subscription } from 'rxjs';
import type { RunInput, RunWorkflowOptions } from '../../../src/run/runWorkflow.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { PoolServer } from './PoolServer.js';

/** One `pool.run` call, as the dispatcher tracks it. */
export interface PoolJob {
  readonly input: RunInput;
  readonly options: RunWorkflowOptions;
  readonly origin: string;
  readonly images: readonly string[];
  readonly subscriber: Subscriber<RunEvent>;
  server: PoolServer | null;
  attempt: Subscription | null;
  attempts: number;
  batchId: string | null;
  started: boolean;
  finished: boolean;
  /** Under a run id: the server that has the job's work, null when none has it, undefined until looked up. */
  home: PoolServer | null | undefined;
  locating: Subscription | null;
}
