/**
 * An exported workflow could not be read: the text is not JSON, or the JSON is not an InvokeAI
 * workflow export (missing `nodes`, unsupported `meta.version`, malformed node, …).
 */
export class WorkflowParseError extends Error {
  override name = 'WorkflowParseError' as const;
  /** Where the JSON came from (file path or caller-supplied name); `'<input>'` when unknown. */
  readonly source: string;
  /** JSON path of the offending value (`nodes[3].data.inputs`), `''` for the document itself. */
  readonly path: string;
  /** What is wrong at {@link path}. */
  readonly problem: string;

  constructor(args: { source: string; path: string; problem: string; cause?: unknown }) {
    const where = args.path ? ` at ${args.path}` : '';
    super(
      `Cannot read workflow ${args.source}${where}: ${args.problem}. ` +
        'Use a workflow exported from the InvokeAI editor (Workflows > Download Workflow), or fix the JSON.',
      { cause: args.cause },
    );
    this.source = args.source;
    this.path = args.path;
    this.problem = args.problem;
  }
}

export function isWorkflowParseError(error: unknown): error is WorkflowParseError {
  return error instanceof WorkflowParseError || (error instanceof Error && error.name === 'WorkflowParseError');
}
