import * as z from 'zod/mini';
import type { FieldKind } from './fieldTableTypes.js';
import { englishIssueMessages } from '../schemas/englishIssueMessages.js';

englishIssueMessages();

/** One recorded form input. */
export const zIndexMapEntry = z.object({
  index: z.int().check(z.minimum(0)),
  nodeId: z.string(),
  fieldName: z.string(),
  label: z._default(z.string(), ''),
  kind: z.optional(z.string()),
});
export type IndexMapEntry = z.infer<typeof zIndexMapEntry>;

/**
 * A snapshot of which node field sits at which form index, saved next to a script so that a later
 * GUI edit that moves fields is detected instead of silently feeding values to the wrong inputs.
 */
export const zIndexMap = z.object({
  workflow: z._default(z.string(), ''),
  generatedAt: z.optional(z.string()),
  inputs: z.array(zIndexMapEntry),
});
export type IndexMap = z.input<typeof zIndexMap>;

/** Result of comparing a recorded {@link IndexMap} with a workflow's current inputs (matched by node id + field name). */
export interface DriftReport {
  /** Recorded inputs still at the same index with the same kind. */
  unchanged: { index: number; label: string }[];
  /** Recorded inputs now at another index. */
  moved: { from: number; to: number; label: string; nodeId: string; fieldName: string }[];
  /** Recorded inputs the form no longer has. */
  missing: { index: number; label: string; nodeId: string; fieldName: string }[];
  /** Current inputs the map did not record. */
  added: { index: number; label: string; nodeId: string; fieldName: string }[];
  /** Inputs whose kind changed (`index` is the current one). */
  changedKind: { index: number; label: string; from: string; to: string }[];
}

interface CurrentInput {
  index: number;
  nodeId: string;
  fieldName: string;
  label: string;
  kind: FieldKind;
}

/** Compares a recorded map with current inputs. A field listed twice is matched in order. */
export function compareIndexMap(map: IndexMap, current: readonly CurrentInput[]): DriftReport {
  const recorded = zIndexMap.parse(map).inputs;
  const key = (e: { nodeId: string; fieldName: string }) => `${e.nodeId}\u0000${e.fieldName}`;
  const pool = new Map<string, CurrentInput[]>();
  for (const input of current) {
    const list = pool.get(key(input)) ?? [];
    list.push(input);
    pool.set(key(input), list);
  }
  const report: DriftReport = { unchanged: [], moved: [], missing: [], added: [], changedKind: [] };
  const matched = new Set<number>();
  for (const entry of recorded) {
    const input = pool.get(key(entry))?.shift();
    if (!input) {
      report.missing.push({ index: entry.index, label: entry.label, nodeId: entry.nodeId, fieldName: entry.fieldName });
      continue;
    }
    matched.add(input.index);
    const kindChanged = entry.kind !== undefined && entry.kind !== input.kind;
    if (kindChanged) report.changedKind.push({ index: input.index, label: input.label, from: entry.kind!, to: input.kind });
    if (input.index !== entry.index) {
      report.moved.push({ from: entry.index, to: input.index, label: input.label, nodeId: input.nodeId, fieldName: input.fieldName });
    } else if (!kindChanged) {
      report.unchanged.push({ index: input.index, label: input.label });
    }
  }
  for (const input of current) {
    if (!matched.has(input.index)) {
      report.added.push({ index: input.index, label: input.label, nodeId: input.nodeId, fieldName: input.fieldName });
    }
  }
  return report;
}
