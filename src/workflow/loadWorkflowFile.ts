import { WorkflowParseError } from '../errors/WorkflowParseError.js';
import { nodeFs } from './nodeFs.js';
import { parseWorkflow, type ParseWorkflowOptions } from './parseWorkflow.js';
import type { Workflow } from './Workflow.js';

/**
 * Reads and parses an exported workflow file (Node only). `node:fs` is looked up at call time
 * rather than imported, so bundling the package for a browser stays possible.
 * @throws WorkflowParseError when the file cannot be read or is not a workflow.
 */
export function loadWorkflowFile(path: string, options: Omit<ParseWorkflowOptions, 'source'> = {}): Workflow {
  let text: string;
  try {
    text = nodeFs('loadWorkflowFile', 'parseWorkflow(text)').readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${(cause as Error).message})`;
    throw new WorkflowParseError({ source: path, path: '', problem, cause });
  }
  return parseWorkflow(text, { ...options, source: path });
}
