import { describe, expect, it } from 'vitest';
import { TABLE_6_14 } from '../support/fieldTable.js';
import { checkAgainstServer } from '../../src/workflow/checkAgainstServer.js';
import { fieldTableFromOpenApi } from '../../src/workflow/fieldTableFromOpenApi.js';
import { defaultWorkflow, pyClientWorkflow, readJson } from './fixtures.js';

describe('checkAgainstServer', () => {
  const server = fieldTableFromOpenApi(readJson('openapi/invokeai-6.14.0-alpha.openapi.json'), '6.14.0-alpha');

  it('finds nothing missing for a workflow the server supports', () => {
    expect(checkAgainstServer(pyClientWorkflow('sdxl-flux-refine'), server)).toEqual({ ok: true, missingNodeTypes: [], missingFields: [] });
  });

  it('names stale node types (canny_image_processor)', () => {
    const report = checkAgainstServer(defaultWorkflow('ESRGAN Upscaling with Canny ControlNet'), server);
    expect(report.ok).toBe(false);
    expect(report.missingNodeTypes).toEqual([{ nodeId: '1d887701-df21-4966-ae6e-a7d82307d7bd', nodeType: 'canny_image_processor' }]);
  });

  it('names fields an older server lacks', () => {
    const older = structuredClone(TABLE_6_14);
    delete (older.nodes.noise!.f as Record<string, unknown>).use_cpu;
    delete older.nodes.rand_int;
    const report = checkAgainstServer(pyClientWorkflow('sdxl-text-to-image'), older);
    expect(report.missingFields).toEqual([{ nodeId: 'noise:f4Bv4UWa22', nodeType: 'noise', fieldName: 'use_cpu' }]);
    expect(report.missingNodeTypes).toEqual([{ nodeId: 'fe37ca02-b720-41f8-a10c-5ab7f110e336', nodeType: 'rand_int' }]);
  });
});
