import * as z from 'zod/mini';
import { type WarningHandler, describeIssues, toWarningIssues } from './warnings.js';
import { englishIssueMessages } from '../schemas/englishIssueMessages.js';

englishIssueMessages();

/** A list whose entries are parsed one by one (see {@link keepValidEntries}). */
export const zEntries = z.array(z.unknown());

/**
 * Parses each entry of a server list with `schema`, keeping the valid ones in order and dropping
 * each invalid one with a `dropped-entry` warning that names the entry (its index and `id` field
 * when it has one) and the zod issues. One odd entry from a newer server must not cost the caller
 * the whole list.
 */
export function keepValidEntries<T>(
  entries: readonly unknown[],
  schema: z.core.$ZodType<T>,
  source: string,
  warn: WarningHandler,
  idField?: string,
): T[] {
  const kept: T[] = [];
  entries.forEach((entry, index) => {
    const parsed = z.safeParse(schema, entry);
    if (parsed.success) {
      kept.push(parsed.data);
      return;
    }
    const issues = toWarningIssues(parsed.error.issues);
    const id = idField !== undefined && entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>)[idField] : undefined;
    const named = id === undefined ? '' : ` (${idField} ${JSON.stringify(id)})`;
    warn({
      kind: 'dropped-entry',
      source,
      index,
      issues,
      entry,
      message: `${source}: dropped entry ${index} of ${entries.length}${named}, which this library cannot read: ${describeIssues(issues)}.`,
    });
  });
  return kept;
}
