import type { InvokeAIClient as CoreClient } from '../client/types.js';
import { type BoardRepo, createBoardRepo } from './createBoardRepo.js';
import { type WorkflowRepo, createWorkflowRepo } from './createWorkflowRepo.js';

/** What the Python-style facade adds to a core client. */
export interface PythonStyleRepos {
  /** Loaded workflows as imperative handles (the Python client's vocabulary, on the reactive engine). */
  readonly workflowRepo: WorkflowRepo;
  /** Boards by id or name, as handles with Promise-returning methods. */
  readonly boardRepo: BoardRepo;
}

/**
 * The client with the Python client's `workflowRepo` and `boardRepo`. Every member of `client`
 * stays reachable (and live: the wrapper inherits from it rather than copying it), so the wrapper
 * is a core client too and runs started through the repos go through `client`. The repos are made
 * on first use, like the Python client's lazy `workflow_repo`/`board_repo`.
 *
 * ## Example
 * ```ts
 * import { createInvokeAIClient } from 'invokeai-rx';
 * import { withPythonStyle } from 'invokeai-rx/python-style';
 * const client = withPythonStyle(createInvokeAIClient({ baseUrl: 'http://127.0.0.1:9090' }));
 * const board = await client.boardRepo.getOrCreate('refined_stage');
 * ```
 */
export function withPythonStyle<C extends CoreClient>(client: C): C & PythonStyleRepos {
  let workflowRepo: WorkflowRepo | undefined;
  let boardRepo: BoardRepo | undefined;
  const wrapped: C & PythonStyleRepos = Object.create(client, {
    workflowRepo: { enumerable: true, get: () => (workflowRepo ??= createWorkflowRepo(wrapped)) },
    boardRepo: { enumerable: true, get: () => (boardRepo ??= createBoardRepo(wrapped)) },
  });
  return wrapped;
}
