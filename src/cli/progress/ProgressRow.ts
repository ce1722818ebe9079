import type { RunEvent } from '../../index.js';

/** Where one stage run is, as the progress display shows it. */
export type ProgressPhase = 'waiting' | 'submitting' | 'queued' | 'running' | 'done' | 'failed' | 'canceled';

/** One line of the progress display: a stage of one chain (`base`, `refined-pass-2`, `upscaled-3`). */
export interface ProgressRow {
  key: string;
  phase: ProgressPhase;
  /** Client time the run was submitted / enqueued (elapsed counts from here). */
  since: number | null;
  /** Items ahead in the queue, while queued (when the server said). */
  position: number | null;
  /** 0..1 of the node running now, `null` when indeterminate or not yet reported. */
  percentage: number | null;
  /** The server's progress message (`Denoising step 5/30`). */
  message: string;
  /** Node reporting progress now (percentages restart per node). */
  nodeId: string | null;
  /** Final duration, once done. */
  durationMs: number | null;
  /** File the result was saved to, or the failure reason. */
  detail: string;
}

export function newRow(key: string): ProgressRow {
  return { key, phase: 'waiting', since: null, position: null, percentage: null, message: '', nodeId: null, durationMs: null, detail: '' };
}

/** The row after one RunEvent of its run (pure). */
export function applyRunEvent(row: ProgressRow, event: RunEvent, now: number): ProgressRow {
  switch (event.type) {
    case 'enqueued':
      return { ...row, phase: 'queued', since: row.since ?? event.at };
    case 'queued':
      return row.phase === 'running' ? row : { ...row, phase: 'queued', position: event.position, since: row.since ?? now };
    case 'started':
      return { ...row, phase: 'running', position: null, since: row.since ?? event.at };
    case 'progress':
      return {
        ...row,
        phase: 'running',
        position: null,
        percentage: event.percentage,
        message: event.message,
        nodeId: event.node_id,
        since: row.since ?? now,
      };
    case 'node_completed':
      return row.phase === 'queued' ? { ...row, phase: 'running', position: null } : row;
    case 'completed':
      return { ...row, phase: 'running', percentage: 1, message: 'downloading', durationMs: event.result.timings.completedAt - event.result.timings.enqueuedAt };
    case 'failed':
      return { ...row, phase: 'failed', detail: event.error.message };
  }
}

/** Whether the row still changes (elapsed time ticks). */
export function isActive(row: ProgressRow): boolean {
  return row.phase === 'submitting' || row.phase === 'queued' || row.phase === 'running';
}
