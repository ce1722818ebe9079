/** What changed between a recorded index map and a workflow's current form. */
export interface IndexDrift {
  moved: readonly { from: number; to: number; label: string; nodeId: string; fieldName: string }[];
  missing: readonly { index: number; label: string; nodeId: string; fieldName: string }[];
  added: readonly { index: number; label: string; nodeId: string; fieldName: string }[];
  changedKind: readonly { index: number; label: string; from: string; to: string }[];
}

/**
 * A workflow's form inputs no longer sit at the indices a script was written against (a field was
 * moved, added or removed in the editor). Carries the full drift report.
 */
export class IndexDriftError extends Error {
  override name = 'IndexDriftError' as const;
  readonly drift: IndexDrift;

  constructor(args: { workflow: string; drift: IndexDrift }) {
    const parts: string[] = [];
    const d = args.drift;
    for (const m of d.moved) parts.push(`moved ${m.from} -> ${m.to} (${describe(m)})`);
    for (const m of d.missing) parts.push(`missing ${m.index} (${describe(m)})`);
    for (const a of d.added) parts.push(`added ${a.index} (${describe(a)})`);
    for (const c of d.changedKind) parts.push(`kind of ${c.index} (${JSON.stringify(c.label)}) changed ${c.from} -> ${c.to}`);
    super(
      `The form inputs of workflow ${JSON.stringify(args.workflow)} drifted from the recorded index map: ` +
        `${parts.join('; ')}. Update the indices your code uses (or address inputs by label), then record a new map.`,
    );
    this.drift = args.drift;
  }
}

function describe(e: { label: string; nodeId: string; fieldName: string }): string {
  return `${JSON.stringify(e.label)}, ${e.nodeId}.${e.fieldName}`;
}

export function isIndexDriftError(error: unknown): error is IndexDriftError {
  return error instanceof IndexDriftError || (error instanceof Error && error.name === 'IndexDriftError');
}
