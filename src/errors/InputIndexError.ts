/** A form input was addressed by an index or label the workflow does not have. */
export class InputIndexError extends Error {
  override name = 'InputIndexError' as const;
  /** The index or label that was asked for. */
  readonly ref: number | string;
  /** Number of inputs the workflow has (valid indices are `0 .. count - 1`). */
  readonly count: number;
  /** Name of the workflow. */
  readonly workflow: string;

  constructor(args: { ref: number | string; count: number; workflow: string; labels?: readonly string[] }) {
    const range = args.count === 0 ? 'it has no form inputs' : `valid indices are 0-${args.count - 1}`;
    const what =
      typeof args.ref === 'number' ? `no input ${args.ref}` : `no input labelled ${JSON.stringify(args.ref)}`;
    const labels = typeof args.ref === 'string' && args.labels?.length ? `; labels are ${args.labels.map((l) => JSON.stringify(l)).join(', ')}` : '';
    super(
      `Workflow ${JSON.stringify(args.workflow)} has ${what}: ${range}${labels}. ` +
        "List the inputs with 'invokeai-rx inputs WORKFLOW.json' (or workflow.inputs).",
    );
    this.ref = args.ref;
    this.count = args.count;
    this.workflow = args.workflow;
  }
}

export function isInputIndexError(error: unknown): error is InputIndexError {
  return error instanceof InputIndexError || (error instanceof Error && error.name === 'InputIndexError');
}
