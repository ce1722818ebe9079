import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { DEFAULT_FIELD_TABLE } from '../../src/workflow/fieldTable.js';
import { fieldTableFromOpenApi } from '../../src/workflow/fieldTableFromOpenApi.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { api } from './support/harness.js';
import { OPENAPI } from './support/openApi.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ executor: fakeExecutor });
});
afterAll(() => emu.close());

describe('GET /openapi.json', () => {
  it('reproduces the bundled field table through fieldTableFromOpenApi', async () => {
    const r = await api(emu, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(fieldTableFromOpenApi(r.body, DEFAULT_FIELD_TABLE.version)).toEqual(DEFAULT_FIELD_TABLE);
  });

  it('agrees with the real document on the node templates a client reads', async () => {
    const doc = (await api(emu, 'GET', '/openapi.json')).body;
    expect(fieldTableFromOpenApi(doc)).toEqual(fieldTableFromOpenApi(OPENAPI));
    expect(doc.info.version).toBe('6.14.0-alpha');
    expect(doc.paths['/api/v1/queue/{queue_id}/enqueue_batch'].post).toBeDefined();
    const add = Object.values(doc.components.schemas as Record<string, any>).find((s) => s.class === 'invocation' && s.properties.type.const === 'add');
    expect(add.output).toEqual({ $ref: '#/components/schemas/IntegerOutput' });
  });
});
