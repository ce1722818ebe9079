import { firstValueFrom } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { Workflow } from '../workflow/Workflow.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Board inputs holding a board's name get its id; with `create`, a board is created for a name
 * none has (values that look like UUIDs are never taken for names).
 */
export async function resolveBoardNames(client: InvokeAIClient, wf: Workflow, create: boolean): Promise<Workflow> {
  const named = wf.inputs.filter((i) => {
    const id = (i.value as { board_id?: unknown } | undefined)?.board_id;
    return i.kind === 'board' && typeof id === 'string' && id !== 'none' && id !== 'auto';
  });
  if (named.length === 0) return wf;
  const boards = await firstValueFrom(client.boards.listAll());
  const changes: Record<number, string> = {};
  for (const input of named) {
    const id = (input.value as { board_id: string }).board_id;
    if (boards.some((b) => b.board_id === id)) continue;
    const byName = boards.find((b) => b.board_name === id);
    if (byName) {
      changes[input.index] = byName.board_id;
    } else if (create && !UUID.test(id)) {
      const board = await firstValueFrom(client.boards.findOrCreate(id));
      boards.push(board);
      changes[input.index] = board.board_id;
    }
    // Else an unknown id: sent as is, the server decides (InvokeAI leaves the image uncategorized).
  }
  return Object.keys(changes).length > 0 ? wf.with(changes) : wf;
}
