import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from '../../src/util/randomUUID.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => vi.unstubAllGlobals());

describe('randomUUID', () => {
  it('uses crypto.randomUUID where it exists', () => {
    vi.stubGlobal('crypto', { randomUUID: () => 'from-randomUUID', getRandomValues: () => undefined });
    expect(randomUUID()).toBe('from-randomUUID');
  });

  it('builds a version-4 UUID from getRandomValues where randomUUID is missing (a non-secure page)', () => {
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => a.fill(0xff) });
    // All bits set except those the version and variant fix.
    expect(randomUUID()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => a.fill(0) });
    expect(randomUUID()).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('gives distinct, well-formed ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, randomUUID));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
