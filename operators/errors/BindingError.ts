/** What is wrong with one entry of a stage binding. */
export type BindingProblem = 'missing-index' | 'wrong-kind' | 'required' | 'unknown-key' | 'not-bound' | 'invalid-option';

/**
 * A stage's binding (semantic name → form index) does not fit its workflow, or an option needs a
 * binding the stage does not have. Thrown synchronously when the operator is created, before
 * anything is sent to the server.
 */
export class BindingError extends Error {
  override name = 'BindingError' as const;
  /** The operator being created (`refine`, `upscale`, …). */
  readonly stage: string;
  /** Name (or source path) of the workflow. */
  readonly workflow: string;
  /** The semantic name concerned (`prompt`, `image`, …). */
  readonly key: string;
  readonly problem: BindingProblem;
  /** The form index the binding names, when it names one. */
  readonly index: number | null;
  /** Kinds the semantic name accepts (for `wrong-kind`). */
  readonly expected: readonly string[];
  /** Kind of the input found at `index` (for `wrong-kind`). */
  readonly actual: string | null;

  constructor(args: {
    stage: string;
    workflow: string;
    key: string;
    problem: BindingProblem;
    index?: number | null;
    expected?: readonly string[];
    actual?: string | null;
    detail: string;
  }) {
    super(`${args.stage}: binding ${JSON.stringify(args.key)} of workflow ${JSON.stringify(args.workflow)}: ${args.detail}`);
    this.stage = args.stage;
    this.workflow = args.workflow;
    this.key = args.key;
    this.problem = args.problem;
    this.index = args.index ?? null;
    this.expected = args.expected ?? [];
    this.actual = args.actual ?? null;
  }
}

export function isBindingError(error: unknown): error is BindingError {
  return error instanceof BindingError || (error instanceof Error && error.name === 'BindingError');
}
