import { describe, expect, it } from 'vitest';
import { fitLine, formatRow, progressBar } from '../../../src/cli/progress/formatRow.js';
import { applyRunEvent, newRow } from '../../../src/cli/progress/ProgressRow.js';
import { ProgressView } from '../../../src/cli/progress/ProgressView.js';
import type { RunEvent, RunResult } from '../../../src/run/types.js';
import { fakeQueueItem } from '../../support/fakeClient.js';

const ESC = '\u001b';

/** A clock the test moves by hand. */
function clock(start = 1_000) {
  let t = start;
  return { now: () => t, set: (v: number) => void (t = v) };
}

function completed(item_id: number, enqueuedAt: number, completedAt: number): RunEvent {
  const result: RunResult = {
    item: fakeQueueItem({ item_id, status: 'completed' }),
    outputs: [],
    images: [],
    timings: { enqueuedAt, startedAt: enqueuedAt + 100, completedAt },
  };
  return { type: 'completed', item_id, result };
}

const progress = (node_id: string, percentage: number | null, message: string): RunEvent => ({ type: 'progress', item_id: 7, node_id, percentage, message });

/** The scripted run: queued behind two items, started, denoised in two nodes, completed. */
function script(view: ProgressView, c: ReturnType<typeof clock>) {
  view.add('base', 'refined');
  c.set(1_000);
  view.submitting('base');
  view.event('base', { type: 'enqueued', batch_id: 'b', item_ids: [7], at: 1_000 });
  view.event('base', { type: 'queued', item_id: 7, position: 2 });
  c.set(1_400);
  view.event('base', { type: 'started', item_id: 7, at: 1_400 });
  for (const [t, p] of [[1_500, 0.1], [1_600, 0.3], [1_700, 0.55], [1_800, 0.8], [1_900, 1]] as const) {
    c.set(t);
    view.event('base', progress('denoise', p, `Denoising step ${Math.round(p * 30)}/30`));
  }
  c.set(2_000);
  view.event('base', progress('decode', 0.5, 'Decoding'));
  c.set(2_400);
  view.event('base', completed(7, 1_000, 2_400));
  view.done('base', 1_400, 'base.png');
}

/**
 * A minimal terminal: applies text, `\r`, `\n`, cursor-up (`ESC[nA`), erase-line (`ESC[2K`),
 * erase-below (`ESC[J`) and ignores cursor visibility, then returns the visible lines.
 */
function terminal(output: string): string[] {
  const screen: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === ESC) {
      const m = /^\u001b\[(\??\d*)([A-Za-z])/.exec(output.slice(i))!;
      expect(m, `unknown escape at ${i}`).not.toBeNull();
      const [all, arg, op] = m;
      if (op === 'A') row = Math.max(0, row - Number(arg || 1));
      else if (op === 'K') screen[row] = '';
      else if (op === 'J') {
        screen[row] = screen[row]!.slice(0, col);
        screen.length = row + 1;
      } else if (op !== 'l' && op !== 'h') throw new Error(`unexpected escape ${all}`);
      i += all!.length - 1;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      if (screen.length <= row) screen.push('');
    } else {
      const line = screen[row]!.padEnd(col);
      screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  while (screen.length && screen.at(-1) === '') screen.pop();
  return screen;
}

describe('ProgressView, plain output (not a TTY)', () => {
  it('appends one line per state change and progress only at each quarter, per node', () => {
    const c = clock();
    let out = '';
    const view = new ProgressView({ tty: false, write: (t) => (out += t), now: c.now });
    script(view, c);
    view.stop();
    expect(out).toBe(
      [
        'base: queued (2 ahead)',
        'base: started',
        'base: 30% Denoising step 9/30',
        'base: 55% Denoising step 17/30',
        'base: 80% Denoising step 24/30',
        'base: 100% Denoising step 30/30',
        'base: 50% Decoding',
        'base: done in 1.4s -> base.png',
        '',
      ].join('\n'),
    );
    expect(out).not.toContain(ESC);
  });

  it('reports failures and cancellations', () => {
    let out = '';
    const view = new ProgressView({ tty: false, write: (t) => (out += t), now: () => 0 });
    view.add('base', 'refined', 'upscaled');
    view.done('base', 1000, 'base.png');
    view.failed('refined', 'the server failed queue item 2: OutOfMemoryError: CUDA out of memory');
    view.cancelPending();
    expect(out.split('\n').slice(1, 3)).toEqual([
      'refined: failed: the server failed queue item 2: OutOfMemoryError: CUDA out of memory',
      'upscaled: canceled',
    ]);
    expect(view.row('base')!.phase).toBe('done');
  });
});

describe('ProgressView, live output (TTY)', () => {
  it('redraws the rows in place: the screen ends with exactly one line per row', () => {
    const c = clock();
    let out = '';
    const view = new ProgressView({ tty: true, write: (t) => (out += t), now: c.now, tickMs: 0, minRedrawMs: 0, columns: 200 });
    script(view, c);
    view.stop();
    expect(out.startsWith(`${ESC}[?25l`)).toBe(true);
    expect(out.endsWith(`${ESC}[?25h`)).toBe(true);
    expect(terminal(out)).toEqual([
      `base     ${progressBar(1)} done  1.4s  -> base.png`,
      `refined  ${progressBar(null)}       waiting`,
    ]);
  });

  it('shows queue position and elapsed time while queued, percentage and message while running', () => {
    const c = clock();
    let out = '';
    const view = new ProgressView({ tty: true, write: (t) => (out += t), now: c.now, tickMs: 0, minRedrawMs: 0, columns: 200 });
    view.add('base');
    view.event('base', { type: 'enqueued', batch_id: 'b', item_ids: [7], at: 1_000 });
    c.set(1_300);
    view.event('base', { type: 'queued', item_id: 7, position: 3 });
    expect(terminal(out)).toEqual([`base  ${progressBar(null)}       queued (3 ahead)  0.3s`]);
    c.set(2_500);
    view.event('base', { type: 'started', item_id: 7, at: 2_400 });
    view.event('base', progress('denoise', 0.5, 'Denoising step 15/30'));
    expect(terminal(out)).toEqual([`base  [##########----------]  50%  Denoising step 15/30  1.5s`]);
    view.stop();
  });

  it('throttles redraws caused by progress events but not state changes', () => {
    const c = clock();
    let out = '';
    const view = new ProgressView({ tty: true, write: (t) => (out += t), now: c.now, tickMs: 0, minRedrawMs: 100, columns: 200 });
    view.add('base');
    view.event('base', { type: 'started', item_id: 7, at: 1_000 });
    const frames = () => out.split(`${ESC}[2K`).length - 1;
    const before = frames();
    c.set(1_050);
    view.event('base', progress('denoise', 0.2, 'step'));
    expect(frames()).toBe(before); // 50 ms after the last draw: skipped
    c.set(1_150);
    view.event('base', progress('denoise', 0.4, 'step'));
    expect(frames()).toBe(before + 1);
    c.set(1_160);
    view.done('base', 160, 'base.png');
    expect(frames()).toBe(before + 2);
    view.stop();
  });

  it('prints notes above the live rows', () => {
    let out = '';
    const view = new ProgressView({ tty: true, write: (t) => (out += t), now: () => 0, tickMs: 0, columns: 200 });
    view.add('base', 'refined');
    view.note('server: http://127.0.0.1:9090');
    view.note('second note');
    view.stop();
    expect(terminal(out)).toEqual([
      'server: http://127.0.0.1:9090',
      'second note',
      `base     ${progressBar(null)}       waiting`,
      `refined  ${progressBar(null)}       waiting`,
    ]);
  });

  it('cuts lines to the terminal width so that they never wrap', () => {
    let out = '';
    const view = new ProgressView({ tty: true, write: (t) => (out += t), now: () => 0, tickMs: 0, columns: 40 });
    view.add('base');
    view.failed('base', 'x'.repeat(200));
    view.stop();
    const screen = terminal(out);
    expect(screen).toHaveLength(1);
    expect(screen[0]!.length).toBe(39);
    expect(fitLine('short', 40)).toBe('short');
  });
});

describe('progress rows', () => {
  it('a completed event shows 100% and the duration; failure carries the reason', () => {
    let row = applyRunEvent(newRow('base'), { type: 'started', item_id: 1, at: 10 }, 10);
    row = applyRunEvent(row, completed(1, 5, 1_205), 1_300);
    expect(row).toMatchObject({ phase: 'running', percentage: 1, durationMs: 1_200 });
    expect(formatRow({ ...row, phase: 'done', detail: 'base.png' }, 0, 4)).toBe(`base  ${progressBar(1)} done  1.2s  -> base.png`);
  });

  it('an indeterminate percentage keeps the bar empty', () => {
    const row = applyRunEvent(newRow('up'), progress('n', null, 'Upscaling'), 0);
    expect(formatRow(row, 0, 2)).toBe(`up  ${progressBar(null)}       Upscaling  0.0s`);
  });
});
