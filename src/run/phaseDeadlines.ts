import { EMPTY, type OperatorFunction, type SchedulerLike, distinctUntilChanged, map, pipe, switchMap, timer } from 'rxjs';
import { RunTimeoutError, type RunTimeoutPhase } from '../errors/RunTimeoutError.js';
import type { RunTimeouts } from './types.js';

/** The next limit a run will hit. */
export interface Deadline {
  /** Absolute time (scheduler clock, ms). */
  at: number;
  phase: RunTimeoutPhase;
  timeout: number;
  item_id: number | null;
}

/** Since when each phase clock of a run (or of one watched item) has been running. */
export interface PhaseClocks {
  /** Start of the `total` clock. */
  startedAt: number;
  /** The item waiting in the queue and since when (the `queued` clock); null while none waits or one runs. */
  queued: { item_id: number | null; since: number } | null;
  /** Each started, unfinished item: since when it runs and its last sign of life. */
  running: ReadonlyArray<{ item_id: number | null; startedAt: number; lastActivity: number }>;
}

/**
 * The earliest limit still ahead (or already passed), or null when none applies. A limit left
 * out or `Infinity` never falls due; on a tie the first phase in the order total, queued,
 * running, stalled wins.
 */
export function nextDeadline(clocks: PhaseClocks, limits: RunTimeouts): Deadline | null {
  let next: Deadline | null = null;
  const consider = (phase: RunTimeoutPhase, from: number, item_id: number | null) => {
    const timeout = limits[phase];
    if (timeout === undefined || !Number.isFinite(timeout)) return;
    if (next === null || from + timeout < next.at) next = { at: from + timeout, phase, timeout, item_id };
  };
  consider('total', clocks.startedAt, null);
  if (clocks.queued) consider('queued', clocks.queued.since, clocks.queued.item_id);
  for (const item of clocks.running) {
    consider('running', item.startedAt, item.item_id);
    consider('stalled', item.lastActivity, item.item_id);
  }
  return next;
}

/** Whether a deadline has been reached at `now`. */
export function isDue(deadline: Deadline | null, now: number): deadline is Deadline {
  return deadline !== null && deadline.at <= now;
}

/** The error a run fails with when `deadline` passes. */
export function deadlineError(deadline: Deadline): RunTimeoutError {
  return new RunTimeoutError({ phase: deadline.phase, timeout: deadline.timeout, item_id: deadline.item_id });
}

function sameDeadline(a: Deadline | null, b: Deadline | null): boolean {
  return a?.at === b?.at && a?.phase === b?.phase && a?.item_id === b?.item_id;
}

/**
 * Turns the stream of "current next deadline" into the moments those deadlines fall due: each
 * new deadline replaces the pending one (a repeat of the same deadline keeps its timer), null
 * disarms it, and one already past fires at once.
 *
 * ```
 * deadlines (at):  30 ─ 15 ───────── 40 ── null ──
 * output:          ─────── ▲ at 15 ─────────────── (40 is disarmed before it falls due)
 * ```
 */
export function dueDeadlines(scheduler: SchedulerLike): OperatorFunction<Deadline | null, Deadline> {
  return pipe(
    distinctUntilChanged(sameDeadline),
    switchMap((d) => (d ? timer(Math.max(0, d.at - scheduler.now()), scheduler).pipe(map(() => d)) : EMPTY)),
  );
}
