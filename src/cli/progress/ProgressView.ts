import type { RunEvent } from '../../index.js';
import { formatSeconds } from '../output/indexHtml.js';
import { fitLine, formatRow, percent } from './formatRow.js';
import { applyRunEvent, isActive, newRow, type ProgressRow } from './ProgressRow.js';

export interface ProgressViewOptions {
  /** Redraw rows in place with ANSI escapes (a terminal) instead of appending lines. */
  tty: boolean;
  /** Where output goes. */
  write: (text: string) => void;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Terminal width; lines are cut to fit so that they never wrap. @default 100 */
  columns?: number;
  /** TTY mode: least time between two redraws caused by progress events. @default 80 ms */
  minRedrawMs?: number;
  /** TTY mode: redraw this often while something runs, so elapsed times move (0 = never). @default 250 ms */
  tickMs?: number;
}

const ESC = '\u001b[';
const CLEAR_LINE = `\r${ESC}2K`;
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;

/**
 * Live progress of a multi-stage run: one row per stage run. On a terminal the rows are redrawn in
 * place (cursor up + clear line); otherwise each state change is appended as a plain line
 * (`base: queued (2 ahead)`, `base: 50% Denoising step 15/30`, `base: done in 1.2s -> base.png`),
 * progress only at every quarter so that logs stay short.
 */
export class ProgressView {
  private readonly rows = new Map<string, ProgressRow>();
  /** Plain mode: the last quarter (0..4) printed per row and node. */
  private readonly quarters = new Map<string, { node: string | null; quarter: number }>();
  private readonly now: () => number;
  private readonly columns: number;
  private readonly minRedrawMs: number;
  private drawn = 0;
  private lastDraw = -Infinity;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly options: ProgressViewOptions) {
    this.now = options.now ?? Date.now;
    this.columns = options.columns ?? 100;
    this.minRedrawMs = options.minRedrawMs ?? 80;
    const tickMs = options.tickMs ?? 250;
    if (options.tty) {
      this.options.write(HIDE_CURSOR);
      if (tickMs > 0) {
        this.ticker = setInterval(() => {
          if ([...this.rows.values()].some(isActive)) this.redraw();
        }, tickMs);
        this.ticker.unref?.();
      }
    }
  }

  /** Adds rows (in `waiting`) that do not exist yet; rows keep the order they were added in. */
  add(...keys: string[]): void {
    const added = keys.filter((key) => !this.rows.has(key));
    for (const key of added) this.rows.set(key, newRow(key));
    if (added.length > 0 && this.options.tty) this.redraw();
  }

  /** The current state of a row (for tests and summaries). */
  row(key: string): ProgressRow | undefined {
    return this.rows.get(key);
  }

  /** The run of `key` is being submitted. */
  submitting(key: string): void {
    this.update(key, (row) => ({ ...row, phase: 'submitting', since: this.now() }));
  }

  /** A RunEvent of the run of `key`. */
  event(key: string, event: RunEvent): void {
    const before = this.rows.get(key) ?? newRow(key);
    const after = applyRunEvent(before, event, this.now());
    this.rows.set(key, after);
    if (this.options.tty) {
      // Progress events can come every few ms: throttle those; state changes draw at once.
      if (before.phase !== after.phase || this.now() - this.lastDraw >= this.minRedrawMs) this.redraw();
    } else {
      this.plainEvent(before, after, event);
    }
  }

  /** The stage of `key` is finished and saved to `file`. */
  done(key: string, durationMs: number, file: string): void {
    this.update(key, (row) => ({ ...row, phase: 'done', durationMs, detail: file, percentage: 1 }));
  }

  /** The stage of `key` failed; `reason` is one line. */
  failed(key: string, reason: string): void {
    this.update(key, (row) => ({ ...row, phase: 'failed', detail: reason }));
  }

  /** Every row that has not finished becomes `canceled`. */
  cancelPending(): void {
    for (const row of [...this.rows.values()]) {
      if (row.phase !== 'done' && row.phase !== 'failed') this.update(row.key, (r) => ({ ...r, phase: 'canceled' }));
    }
  }

  /** Prints a message line (above the live rows on a terminal). */
  note(text: string): void {
    if (!this.options.tty) {
      this.options.write(`${text}\n`);
      return;
    }
    this.options.write(`${this.drawn > 0 ? `${ESC}${this.drawn}A\r${ESC}J` : ''}${text}\n`);
    this.drawn = 0;
    this.redraw();
  }

  /** Final redraw; restores the cursor and stops the ticker. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.options.tty) {
      this.redraw();
      this.options.write(SHOW_CURSOR);
    }
  }

  private update(key: string, change: (row: ProgressRow) => ProgressRow): void {
    const before = this.rows.get(key) ?? newRow(key);
    const after = change(before);
    this.rows.set(key, after);
    if (this.options.tty) this.redraw();
    else if (before.phase !== after.phase) this.plainLine(after);
  }

  private redraw(): void {
    const rows = [...this.rows.values()];
    const width = Math.max(0, ...rows.map((r) => r.key.length));
    const now = this.now();
    const lines = rows.map((r) => `${CLEAR_LINE}${fitLine(formatRow(r, now, width), this.columns)}\n`).join('');
    this.options.write(`${this.drawn > 0 ? `${ESC}${this.drawn}A` : ''}${lines}`);
    this.drawn = rows.length;
    this.lastDraw = now;
  }

  private plainEvent(before: ProgressRow, after: ProgressRow, event: RunEvent): void {
    if (event.type === 'progress') {
      if (after.percentage === null) return;
      const quarter = Math.floor(after.percentage * 4);
      const last = this.quarters.get(after.key);
      const lastQuarter = last && last.node === after.nodeId ? last.quarter : 0;
      if (quarter > lastQuarter) {
        this.quarters.set(after.key, { node: after.nodeId, quarter });
        this.options.write(`${after.key}: ${percent(after.percentage).trim()} ${after.message}`.trimEnd() + '\n');
      } else if (!last || last.node !== after.nodeId) {
        this.quarters.set(after.key, { node: after.nodeId, quarter: lastQuarter });
      }
      return;
    }
    if (event.type === 'queued' && before.phase !== 'running') {
      this.options.write(`${after.key}: queued${after.position === null ? '' : ` (${after.position} ahead)`}\n`);
      return;
    }
    if (before.phase !== after.phase) this.plainLine(after);
  }

  private plainLine(row: ProgressRow): void {
    switch (row.phase) {
      case 'running':
        this.options.write(`${row.key}: started\n`);
        return;
      case 'done':
        this.options.write(`${row.key}: done in ${formatSeconds(row.durationMs ?? 0)} -> ${row.detail}\n`);
        return;
      case 'failed':
        this.options.write(`${row.key}: failed: ${row.detail}\n`);
        return;
      case 'canceled':
        this.options.write(`${row.key}: canceled\n`);
        return;
      default:
        return;
    }
  }
}
