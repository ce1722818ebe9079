/**
 * What `invokeai-rx` costs a web app: the whole public surface of `invokeai-rx` and
 * `invokeai-rx/operators` bundled for the browser (esbuild, minified, dependencies included), its
 * minified and gzip sizes, and every input that has no business in a browser (Node built-ins,
 * the emulator, the CLI).
 *
 *     npx tsx scripts/browserBundle.ts
 */
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The entry points a web app imports. */
export const BROWSER_ENTRIES = ['invokeai-rx', 'invokeai-rx/operators'] as const;

/** The most a web app should pay, gzip, for the whole library (enforced by test/browser/bundle.test.ts). */
export const BROWSER_GZIP_BUDGET = 100_000;

/** Files of the project that only run in Node. */
const NODE_ONLY_DIRS = ['src/emulator/', 'src/cli/'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export interface BundleSize {
  /** Bytes of the minified bundle. */
  minified: number;
  /** Bytes of that bundle gzipped (level 9). */
  gzip: number;
}

export interface BrowserBundleReport {
  /** Each entry point bundled alone (each includes what it shares with the other). */
  entries: Record<(typeof BROWSER_ENTRIES)[number], BundleSize>;
  /** Both entry points in one bundle: the most a web app ships for this library. */
  total: BundleSize;
  /** Minified bytes of the total bundle by origin: `invokeai-rx` (its own files) or the npm package. */
  byPackage: Record<string, number>;
  /** Every input file of the total bundle (paths relative to the project). */
  inputs: string[];
  /** Node built-in modules the bundle imports (`node:fs`, `path`, …), with the importing file. */
  nodeBuiltins: { module: string; importer: string }[];
  /** Project files that only run in Node (the emulator, the CLI) found among the inputs. */
  nodeOnlyFiles: string[];
}

/** Bundles these module specifiers for the browser, keeping every export of each. */
export async function bundleForBrowser(entries: readonly string[]): Promise<{ size: BundleSize; metafile: Metafile }> {
  // Namespace re-exports keep every export alive: tree shaking cannot drop any public name.
  const source = entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n') + `\nexport { ${entries.map((_, i) => `m${i}`).join(', ')} };\n`;
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: 'browser-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    // `invokeai-rx` resolves to the sources, as for the tests and the example page.
    tsconfig: resolve(root, 'tsconfig.json'),
    // Kept out of the bundle but recorded in the metafile, so they can be reported instead of
    // failing the build.
    external: [...NODE_BUILTINS],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { size: { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength }, metafile: result.metafile };
}

function packageOf(input: string): string {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1]! : 'invokeai-rx';
}

/** Bundles the public surface for the browser and measures it (three esbuild runs, ~1 s each). */
export async function measureBrowserBundle(): Promise<BrowserBundleReport> {
  const [core, operators, total] = await Promise.all([
    bundleForBrowser(['invokeai-rx']),
    bundleForBrowser(['invokeai-rx/operators']),
    bundleForBrowser(BROWSER_ENTRIES),
  ]);
  const { inputs } = total.metafile;
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(total.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
  }
  return {
    entries: { 'invokeai-rx': core.size, 'invokeai-rx/operators': operators.size },
    total: total.size,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
    inputs: Object.keys(inputs),
    ...nodeOnlyInputs(total.metafile),
  };
}

/** The Node built-ins a bundle imports and the project's Node-only files among its inputs. */
export function nodeOnlyInputs(metafile: Metafile): Pick<BrowserBundleReport, 'nodeBuiltins' | 'nodeOnlyFiles'> {
  const { inputs } = metafile;
  return {
    nodeBuiltins: Object.entries(inputs).flatMap(([importer, { imports }]) =>
      imports.filter((i) => NODE_BUILTINS.has(i.path)).map((i) => ({ module: i.path, importer })),
    ),
    nodeOnlyFiles: Object.keys(inputs).filter((i) => NODE_ONLY_DIRS.some((d) => i.startsWith(d))),
  };
}

export const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** A short markdown section, as printed by the benchmark and by this script. */
export function formatBrowserBundle(report: BrowserBundleReport): string {
  const rows = [
    ...Object.entries(report.entries).map(([name, s]) => `| \`${name}\` | ${kB(s.minified)} | ${kB(s.gzip)} |`),
    `| both (total) | ${kB(report.total.minified)} | ${kB(report.total.gzip)} |`,
  ];
  const largest = Object.entries(report.byPackage)
    .slice(0, 6)
    .map(([name, bytes]) => `${name} ${kB(bytes)}`)
    .join(', ');
  const unsafe = [...report.nodeBuiltins.map((b) => `${b.module} (from ${b.importer})`), ...report.nodeOnlyFiles];
  return [
    '## Browser bundle (esbuild, minified, dependencies included)',
    '',
    '| entry | minified | gzip |',
    '|---|---:|---:|',
    ...rows,
    '',
    `Largest parts (minified): ${largest}.`,
    unsafe.length === 0 ? 'No Node built-in and no emulator or CLI file in the bundle.' : `Node-only inputs: ${unsafe.join(', ')}.`,
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(formatBrowserBundle(await measureBrowserBundle()));
}
