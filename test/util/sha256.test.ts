import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runBatchId, runOrigin } from '../../src/run/runIds.js';
import { sha256Hex } from '../../src/util/sha256.js';
import { stableJson } from '../../src/util/stableJson.js';

describe('sha256Hex', () => {
  it('agrees with node:crypto across block boundaries and multi-byte text', () => {
    for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(119), 'é☃𝄞'.repeat(50)]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
  it('gives the FIPS 180-4 digest of "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('run ids', () => {
  it('derives the same UUID-shaped batch id for the same place, another for any other', () => {
    const place = { runId: 'r', position: '["refine","3",1]', attempt: 0 };
    const id = runBatchId(place);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runBatchId({ ...place })).toBe(id);
    expect(new Set([id, runBatchId({ ...place, attempt: 1 }), runBatchId({ ...place, runId: 's' }), runBatchId({ ...place, position: '' })]).size).toBe(4);
  });
  it('hashes the work in the origin, whatever the key order, and not the random graph id', () => {
    const graph = (id: string, width: number) => ({ id, nodes: { a: { id: 'a', type: 'blank_image', width, height: 8 } }, edges: [] });
    const place = { runId: 'r', position: 'p' };
    expect(runOrigin(place, { graph: graph('x', 8), runs: 1 })).toBe(runOrigin(place, { runs: 1, graph: graph('y', 8) }));
    expect(runOrigin(place, { graph: graph('x', 8), runs: 1 })).not.toBe(runOrigin(place, { graph: graph('x', 9), runs: 1 }));
    expect(stableJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe('{"a":{"d":[1,{"e":3,"f":2}]},"b":1}');
  });
});
