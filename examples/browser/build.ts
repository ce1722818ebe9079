/**
 * Bundles the browser example (esbuild, the library from its sources) into `examples/browser/dist/`
 * beside a copy of `index.html`. `npm run example:browser` then serves that folder from the
 * emulator's own origin, as InvokeAI serves its web UI.
 *
 *     npx tsx examples/browser/build.ts [OUT_DIR]
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

export interface BrowserExampleBuild {
  outDir: string;
  metafile: Metafile;
}

export async function buildBrowserExample(outDir = join(here, 'dist')): Promise<BrowserExampleBuild> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'app.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    // Resolves `invokeai-rx` and its subpaths to the sources (the `paths` of tsconfig.json).
    tsconfig: resolve(here, '../../tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));
  return { outDir, metafile: result.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir } = await buildBrowserExample(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${outDir}`);
}
