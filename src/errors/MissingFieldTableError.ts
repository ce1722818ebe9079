/**
 * A workflow without a field table was asked for something only the server's invocation schemas
 * know (which node types exist, connection-only inputs, cache defaults): building its graph.
 * Workflows are parsed without a table unless one is given; a run binds the connected server's.
 */
export class MissingFieldTableError extends Error {
  override name = 'MissingFieldTableError' as const;
  /** The workflow's name, else its source. */
  readonly workflow: string;
  /** What needed the table (`buildGraph`, …). */
  readonly operation: string;

  constructor(args: { workflow: string; operation: string }) {
    super(
      `${args.operation} needs a field table, and workflow ${JSON.stringify(args.workflow)} has none. ` +
        "Run it with runWorkflow (it loads the connected server's table), bind one with " +
        'workflow.withFieldTable(table) or bindFieldTable(client, workflow), or, offline, parse it with ' +
        "{ fieldTable: FIELD_TABLE_6_14 } from 'invokeai-rx/field-table'.",
    );
    this.workflow = args.workflow;
    this.operation = args.operation;
  }
}

export function isMissingFieldTableError(error: unknown): error is MissingFieldTableError {
  return error instanceof MissingFieldTableError || (error instanceof Error && error.name === 'MissingFieldTableError');
}
