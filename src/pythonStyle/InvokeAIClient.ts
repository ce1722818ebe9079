import { InvokeAIClient as CoreClient } from '../client/InvokeAIClient.js';
import type { ClientOptions } from '../client/types.js';
import { type PythonStyleRepos, withPythonStyle } from './withPythonStyle.js';

/** A core client with the Python client's `workflowRepo` and `boardRepo`. */
export type InvokeAIClient = CoreClient & PythonStyleRepos;

/**
 * Value companion of the Python-style {@link InvokeAIClient}: `fromUrl` as in the core, plus the repos.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, WorkflowDefinition } from 'invokeai-rx/python-style';
 * const client = InvokeAIClient.fromUrl('http://localhost:9090');
 * const wf = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json'));
 * ```
 */
export const InvokeAIClient = Object.freeze({
  /**
   * A client for the server at `url` (`http(s)://host[:port][/base-path]`; a pasted trailing
   * `/api/v1` is ignored).
   * @throws TypeError when the URL is invalid.
   */
  fromUrl(url: string, options: ClientOptions = {}): InvokeAIClient {
    return withPythonStyle(CoreClient.fromUrl(url, options));
  },
});
