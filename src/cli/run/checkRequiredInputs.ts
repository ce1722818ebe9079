import type { Workflow } from '../../index.js';
import { UsageError } from '../errors/UsageError.js';

/**
 * Refuses a workflow whose required form inputs are empty: the server would reject it
 * (MissingInputException) after it was enqueued. `filled` are indices set by an upload.
 * @throws UsageError naming each input's index and label.
 */
export function checkRequiredInputs(wf: Workflow, filled: ReadonlySet<number>): void {
  const empty = wf.inputs.filter((i) => i.required && !filled.has(i.index) && (i.value === undefined || i.value === null || i.value === ''));
  if (empty.length === 0) return;
  const list = empty.map((i) => `${i.index} "${i.label}"`).join(', ');
  const example = empty[0]!;
  const value = example.kind === 'image' ? '@FILE.png' : 'VALUE';
  throw new UsageError(
    `required input${empty.length > 1 ? 's' : ''} ${list} ${empty.length > 1 ? 'are' : 'is'} empty; set ${empty.length > 1 ? 'them' : 'it'} with --set ${example.index}=${value}` +
      ' (nothing was enqueued)',
  );
}
