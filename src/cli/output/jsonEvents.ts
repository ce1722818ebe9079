/**
 * Where `--json` events go: one JSON object per line, `{"event": NAME, ...}`, keys in snake_case
 * like the server's. Without `--json` the sink drops everything.
 */
export interface EventSink {
  readonly enabled: boolean;
  emit(event: string, data?: Record<string, unknown>): void;
}

/** Writes each event as one line of JSON. */
export function jsonLines(write: (text: string) => void): EventSink {
  return {
    enabled: true,
    emit: (event, data = {}) => write(`${JSON.stringify({ event, ...data })}\n`),
  };
}

/** Drops every event (human output only). */
export const NO_EVENTS: EventSink = Object.freeze({ enabled: false, emit: () => {} });
