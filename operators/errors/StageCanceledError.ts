/**
 * An input was still being processed when the pipeline was unsubscribed. Only ever delivered to a
 * stage's `failures` sink (so `cleanup` can delete what the abandoned input had produced); the
 * stream itself just stops, as unsubscribing does.
 */
export class StageCanceledError extends Error {
  override name = 'StageCanceledError' as const;
  readonly stage: string;

  constructor(args: { stage: string; input: string | null }) {
    super(
      `${args.stage}: ${args.input === null ? 'the run' : `processing of ${JSON.stringify(args.input)}`} was abandoned ` +
        'because the pipeline was unsubscribed; its queue item was canceled on the server.',
    );
    this.stage = args.stage;
  }
}

export function isStageCanceledError(error: unknown): error is StageCanceledError {
  return error instanceof StageCanceledError || (error instanceof Error && error.name === 'StageCanceledError');
}
