/**
 * The browser surface (`invokeai-rx` + `invokeai-rx/operators`, with rxjs, socket.io-client and
 * zod) stays within budget, and the bundled InvokeAI 6.14 field table stays out of it.
 */
import { describe, expect, it } from 'vitest';
import { browserBundle } from '../../scripts/browserBundle.js';

describe('browser bundle', () => {
  it('leaves the bundled field table out and stays within 100 kB gzip', async () => {
    const report = await browserBundle();
    expect(report.inputs).toContain('src/workflow/Workflow.ts');
    expect(report.inputs.filter((i) => i.startsWith('src/workflow/fieldTable'))).toEqual(['src/workflow/fieldTableFromOpenApi.ts']);
    expect(report.gzipBytes).toBeLessThanOrEqual(100 * 1024);
  });
});
