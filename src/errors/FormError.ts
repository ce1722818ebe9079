/**
 * A workflow's builder form is structurally invalid (missing root, cycle, dangling child, parent
 * mismatch). Only thrown when parsing with `onInvalidForm: 'error'`; by default the form is
 * replaced by the empty default form with a warning, as the InvokeAI editor does.
 */
export class FormError extends Error {
  override name = 'FormError' as const;
  /** Where the workflow came from. */
  readonly source: string;
  /** What makes the form invalid. */
  readonly reason: string;

  constructor(args: { source: string; reason: string }) {
    super(
      `The form of workflow ${args.source} is invalid: ${args.reason}. ` +
        'Open the workflow in the InvokeAI editor, rebuild the form and export it again ' +
        "(or parse with onInvalidForm: 'default' to fall back to the default form).",
    );
    this.source = args.source;
    this.reason = args.reason;
  }
}

export function isFormError(error: unknown): error is FormError {
  return error instanceof FormError || (error instanceof Error && error.name === 'FormError');
}
