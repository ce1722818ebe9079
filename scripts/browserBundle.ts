/**
 * Bundles the library's browser surface (`invokeai-rx` + `invokeai-rx/operators`, with rxjs,
 * socket.io-client and zod) the way an application's bundler would, and reports its size and
 * whether the bundled InvokeAI 6.14 field table got in (it must not: runs load the server's own).
 *
 *   npx tsx scripts/browserBundle.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

export interface BrowserBundleReport {
  minifiedBytes: number;
  gzipBytes: number;
  /** Every source file in the bundle, relative to the repository root. */
  inputs: string[];
}

export async function browserBundle(): Promise<BrowserBundleReport> {
  const result = await build({
    stdin: {
      contents: "export * from './src/index.ts';\nexport * from './operators/index.ts';\n",
      resolveDir: root,
      sourcefile: 'browser-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]!.contents;
  return { minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, inputs: Object.keys(result.metafile.inputs) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await browserBundle();
  const table = report.inputs.filter((i) => i.includes('fieldTable.generated'));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`browser bundle: ${kb(report.minifiedBytes)} minified, ${kb(report.gzipBytes)} gzip, ${report.inputs.length} inputs`);
  console.log(table.length ? `the bundled field table is in it: ${table.join(', ')}` : 'the bundled field table is not in it');
  process.exitCode = table.length ? 1 : 0;
}
