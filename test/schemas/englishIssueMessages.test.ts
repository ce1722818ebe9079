/**
 * zod/mini has no issue messages of its own: the schema modules install zod's English ones when
 * they load, unless the app configured a locale. Each case clears the global zod config and
 * loads a schema module afresh, so a locale left by another module cannot hide a missing one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';

const saved = z.config().localeError;
afterEach(() => {
  z.config({ localeError: saved });
});

async function freshBoardSchema() {
  vi.resetModules();
  return (await import('../../src/schemas/board.js')).zAddImagesToBoardResult;
}

describe('issue messages of the core schemas', () => {
  it('are English, as with zod classic', async () => {
    z.config({ localeError: undefined });
    const schema = await freshBoardSchema();
    const result = schema.safeParse({ affected_boards: 'none', added_images: [] });
    expect(result.error?.issues.map((i) => i.message)).toEqual(['Invalid input: expected array, received string']);
  });

  it('keep a locale the app chose', async () => {
    z.config({ localeError: () => 'app message' });
    const schema = await freshBoardSchema();
    const result = schema.safeParse({ affected_boards: 'none', added_images: [] });
    expect(result.error?.issues.map((i) => i.message)).toEqual(['app message']);
  });
});
