import type * as z from 'zod/mini';

/**
 * The server answered 2xx but its body was not what this library expects: invalid JSON, or JSON
 * that does not match the response schema. Usually a server version this library does not
 * support, or a proxy answering instead of InvokeAI.
 *
 * Not an {@link InvokeAIError}: the request itself succeeded.
 */
export class SchemaError extends Error {
  override name = 'SchemaError' as const;
  readonly method: string;
  readonly url: string;
  /** The schema issues (for invalid JSON, one custom issue at the root). */
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(args: { method: string; url: string; issues: readonly z.core.$ZodIssue[]; cause?: unknown }) {
    const shown = args.issues.slice(0, 5).map(formatIssue).join('; ');
    const more = args.issues.length > 5 ? ` (+${args.issues.length - 5} more)` : '';
    super(
      `Unexpected response to ${args.method} ${args.url}: ${shown}${more}. ` +
        'Check that the URL points at an InvokeAI server of a supported version (6.x).',
      args.cause === undefined ? undefined : { cause: args.cause },
    );
    this.method = args.method;
    this.url = args.url;
    this.issues = args.issues;
  }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  return `at ${path}: ${issue.message}`;
}
