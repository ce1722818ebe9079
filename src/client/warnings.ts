import type * as z from 'zod/mini';

/** One schema problem, as a caller can read it: where (`a.b.0`, `(root)`) and what. */
export interface WarningIssue {
  path: string;
  message: string;
}

/**
 * Something the server sent that this library tolerated instead of failing the call (a tolerant
 * reader): an entry it dropped from a list, a value it does not know, socket events it could not
 * read. Reported through the client's `onWarning` option.
 */
export type ReaderWarning =
  | {
      kind: 'dropped-entry';
      /** The call, e.g. `models.list`. */
      source: string;
      /** Position of the entry in the server's list. */
      index: number;
      /** Why it was dropped. */
      issues: WarningIssue[];
      /** The entry as the server sent it. */
      entry: unknown;
      message: string;
    }
  | {
      kind: 'unknown-status';
      item_id: number;
      /** The status as the server sent it. */
      status: string;
      message: string;
    }
  | {
      kind: 'invalid-events';
      /** Socket event name of the latest invalid payload. */
      event: string;
      /** Invalid payloads since the previous warning of this kind. */
      count: number;
      /** All invalid payloads since the client was created. */
      total: number;
      /** Why the latest one was invalid. */
      issues: WarningIssue[];
      message: string;
    };

/** Receives {@link ReaderWarning}s. */
export type WarningHandler = (warning: ReaderWarning) => void;

/** Prints to the console (browsers and Node alike): a warning nobody sees helps nobody. */
export const consoleWarning: WarningHandler = (warning) => {
  const log = (globalThis as { console?: { warn?: (...args: unknown[]) => void } }).console;
  log?.warn?.(`invokeai-rx: ${warning.message}`);
};

/** zod issues in the {@link WarningIssue} form. */
export function toWarningIssues(issues: readonly z.core.$ZodIssue[]): WarningIssue[] {
  return issues.map((issue) => ({ path: issue.path.length ? issue.path.map(String).join('.') : '(root)', message: issue.message }));
}

/** `a.b: message; c: message` (at most three, then how many more). */
export function describeIssues(issues: readonly WarningIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  return issues.length > 3 ? `${shown} (+${issues.length - 3} more)` : shown;
}

/** The warning handler of a client, or the console for a client that has none (composed or fake clients). */
export function warningsOf(client: { readonly warn?: WarningHandler }): WarningHandler {
  return client.warn ?? consoleWarning;
}
