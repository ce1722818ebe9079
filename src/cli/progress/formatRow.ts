import { formatSeconds } from '../output/indexHtml.js';
import type { ProgressRow } from './ProgressRow.js';

const BAR_WIDTH = 20;

/** `[#########-----------]` for 0..1; blank for unknown. */
export function progressBar(fraction: number | null, width = BAR_WIDTH): string {
  if (fraction === null) return `[${' '.repeat(width)}]`;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** `  7%`, `100%`, or `   ` when unknown. */
export function percent(fraction: number | null): string {
  return fraction === null ? '    ' : `${String(Math.round(Math.min(1, Math.max(0, fraction)) * 100)).padStart(3)}%`;
}

/**
 * One line of the live (TTY) display:
 * `refined-2  [##########----------]  50%  Denoising step 8/15  1.3s`
 */
export function formatRow(row: ProgressRow, now: number, labelWidth: number): string {
  const label = row.key.padEnd(labelWidth);
  const elapsed = row.since === null ? '' : formatSeconds(Math.max(0, now - row.since));
  switch (row.phase) {
    case 'waiting':
      return `${label}  ${progressBar(null)}       waiting`;
    case 'submitting':
      return `${label}  ${progressBar(null)}       submitting`;
    case 'queued':
      return `${label}  ${progressBar(null)}       queued${row.position === null ? '' : ` (${row.position} ahead)`}  ${elapsed}`;
    case 'running':
      return `${label}  ${progressBar(row.percentage)} ${percent(row.percentage)}  ${row.message || 'running'}  ${elapsed}`;
    case 'done':
      return `${label}  ${progressBar(1)} done  ${formatSeconds(row.durationMs ?? 0)}${row.detail ? `  -> ${row.detail}` : ''}`;
    case 'failed':
      return `${label}  failed: ${row.detail}`;
    case 'canceled':
      return `${label}  canceled`;
  }
}

/** Cuts a line to `columns - 1` visible characters so that it never wraps (wrapping breaks redraws). */
export function fitLine(line: string, columns: number): string {
  const max = Math.max(10, columns - 1);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
