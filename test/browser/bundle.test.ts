/**
 * The browser bundle of the public surface (`invokeai-rx` + `invokeai-rx/operators`, every export
 * kept, dependencies included): nothing Node-only in it, and its gzip size within budget.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_GZIP_BUDGET as GZIP_BUDGET,
  bundleForBrowser,
  measureBrowserBundle,
  nodeOnlyInputs,
  type BrowserBundleReport,
} from '../../scripts/browserBundle.js';

let report: BrowserBundleReport;
beforeAll(async () => {
  report = await measureBrowserBundle();
}, 120_000);

describe('browser bundle', () => {
  it('is built from both public entry points', () => {
    expect(report.inputs).toEqual(expect.arrayContaining(['src/index.ts', 'operators/index.ts']));
    expect(Object.keys(report.byPackage)).toEqual(expect.arrayContaining(['invokeai-rx', 'rxjs', 'zod', 'socket.io-client']));
  });

  it('imports no Node built-in module', () => {
    expect(report.nodeBuiltins).toEqual([]);
  });

  it('contains no file of the emulator or the CLI', () => {
    expect(report.inputs.filter((i) => /^src\/(emulator|cli)\//.test(i))).toEqual([]);
    expect(report.nodeOnlyFiles).toEqual([]);
  });

  it('leaves the bundled InvokeAI 6.14 field table out (runs load the server\'s own)', () => {
    expect(report.inputs).toContain('src/workflow/Workflow.ts');
    expect(report.inputs.filter((i) => i.startsWith('src/workflow/fieldTable'))).toEqual(
      expect.arrayContaining(['src/workflow/fieldTableFromOpenApi.ts']),
    );
    expect(report.inputs.filter((i) => i.includes('fieldTable.generated'))).toEqual([]);
  });

  it('validates with zod/mini: classic zod stays out', () => {
    const zodFiles = report.inputs.filter((i) => i.includes('node_modules/zod/'));
    expect(zodFiles).toEqual(expect.arrayContaining([expect.stringContaining('zod/v4/mini/')]));
    expect(zodFiles.filter((i) => i.includes('zod/v4/classic/'))).toEqual([]);
  });

  it('would notice Node-only code (the emulator bundled the same way)', async () => {
    const { metafile } = await bundleForBrowser(['invokeai-rx/emulator']);
    const found = nodeOnlyInputs(metafile);
    expect(found.nodeBuiltins).toContainEqual({ module: 'node:crypto', importer: 'src/emulator/auth.ts' });
    expect(found.nodeOnlyFiles).toContain('src/emulator/startEmulator.ts');
  });
});

describe('browser bundle size budget', () => {
  it(`stays within ${GZIP_BUDGET / 1000} kB gzip for invokeai-rx + invokeai-rx/operators`, () => {
    expect(report.total.gzip).toBeLessThanOrEqual(GZIP_BUDGET);
    // Each entry alone is part of the whole.
    for (const entry of Object.values(report.entries)) expect(entry.gzip).toBeLessThanOrEqual(report.total.gzip);
  });
});
