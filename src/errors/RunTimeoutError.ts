/** Which limit of a run was exceeded (see `RunTimeouts`). */
export type RunTimeoutPhase = 'queued' | 'running' | 'stalled' | 'total';

const PHASE_TEXT: Record<RunTimeoutPhase, string> = {
  queued: 'waited in the queue (pending) for longer than',
  running: 'ran for longer than',
  stalled: 'showed no sign of progress for longer than',
  total: 'took longer in total than',
};

/** A run exceeded one of its timeouts; the queue item (if any) was canceled on the server. */
export class RunTimeoutError extends Error {
  override name = 'RunTimeoutError' as const;
  readonly phase: RunTimeoutPhase;
  /** The limit that was exceeded, in ms. */
  readonly timeout: number;
  /** The queue item concerned, or `null` when the run had no item yet. */
  readonly item_id: number | null;

  constructor(args: { phase: RunTimeoutPhase; timeout: number; item_id: number | null }) {
    super(
      `Run timed out in phase '${args.phase}': ${args.item_id === null ? 'the run' : `queue item ${args.item_id}`} ` +
        `${PHASE_TEXT[args.phase]} ${args.timeout} ms. ` +
        `Raise timeouts.${args.phase}, or check that the InvokeAI queue is processing (not paused, not busy).`,
    );
    this.phase = args.phase;
    this.timeout = args.timeout;
    this.item_id = args.item_id;
  }
}
