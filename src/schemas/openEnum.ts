import * as z from 'zod/mini';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/**
 * A value of a server enum that a newer server may extend: one of the `Known` values, or any other
 * string. `(string & {})` keeps editor completion for the known values.
 */
export type OpenEnum<Known extends string> = Known | (string & {});

/** A zod schema for an {@link OpenEnum}, with its known values. */
export type ZodOpenEnum<Known extends string> = z.ZodMiniType<OpenEnum<Known>, string> & {
  /** The values this library knows, in the server's order. */
  readonly known: readonly Known[];
  /** Whether `value` is one of {@link known} (a value this library can act on). */
  isKnown(value: string): value is Known;
};

/**
 * A tolerant reader's enum: the server's known values, or any other string (kept as sent, for the
 * caller to treat as "unknown"). A newer server may add a status, category or visibility; a
 * strict enum would fail the whole call over one field the caller may not even read.
 *
 * ```ts
 * const zStatus = openEnum(['pending', 'completed']);
 * zStatus.parse('paused');          // 'paused' (kept)
 * zStatus.isKnown('paused');        // false
 * type Status = z.infer<typeof zStatus>; // 'pending' | 'completed' | (string & {})
 * ```
 */
export function openEnum<const Known extends readonly [string, ...string[]]>(values: Known): ZodOpenEnum<Known[number]> {
  const known = new Set<string>(values);
  const schema = z.union([z.enum(values), z.string()]) as unknown as ZodOpenEnum<Known[number]>;
  return Object.assign(schema, {
    known: Object.freeze([...values]) as readonly Known[number][],
    isKnown: (value: string): value is Known[number] => known.has(value),
  });
}
