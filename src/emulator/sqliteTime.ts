/**
 * The current UTC time as SQLite's `STRFTIME('%Y-%m-%d %H:%M:%f','NOW')` writes it
 * (`2025-08-21 07:19:51.147`): the exact string InvokeAI stores and returns for queue timestamps.
 */
export function sqliteTime(date: Date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** UTC epoch seconds, as every event's `timestamp`. */
export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
