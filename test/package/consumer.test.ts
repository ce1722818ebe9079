import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package as a new user gets it: packed (the prepack script builds dist/), installed from the
// tarball into a fresh project, and used from ES modules, CommonJS and TypeScript.

const repo = fileURLToPath(new URL('../../', import.meta.url));
const consumerSources = fileURLToPath(new URL('./consumer/', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// Building, installing and type-checking take minutes on a loaded machine.
const MINUTE = 60_000;

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 5 * MINUTE }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.message}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The `RESULT [...]` line a consumer script prints: stage, ok and PNG size of each result. */
function stagesOf(stdout: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length));
}

/** The package's entry points: `exports` subpaths and their file names in dist/. */
const ENTRIES = ['index', 'operators', 'emulator', 'python-style'];

// 128×96 asked of the base workflow, kept by the refiner, doubled by the upscaler.
const EXPECTED_STAGES = [
  { stage: 'generateBase', ok: true, size: [128, 96] },
  { stage: 'refine', ok: true, size: [128, 96] },
  { stage: 'upscale', ok: true, size: [256, 192] },
];

/** A strict tsconfig that checks the package's declarations too (skipLibCheck off). */
function tsconfig(options: Record<string, unknown>, files: string[]) {
  return {
    compilerOptions: {
      target: 'ES2022',
      strict: true,
      skipLibCheck: false,
      types: ['node'],
      // The consumer's @types/node: this repository's.
      typeRoots: [join(repo, 'node_modules', '@types')],
      ...options,
    },
    files,
  };
}

let project: string;
let packed: { filename: string; files: Array<{ path: string }> };

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'invokeai-rx-consumer-'));
  // npm prints the lifecycle scripts' output (the build) before the JSON on stdout.
  const out = await run(npm, ['pack', '--json', '--pack-destination', project], repo);
  packed = JSON.parse(out.slice(out.search(/^\[/m)))[0];
  // A CommonJS package (no "type"), as most existing Node projects are.
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
  await run(npm, ['install', join(project, packed.filename), '--no-audit', '--no-fund', '--prefer-offline'], project);
  cpSync(consumerSources, project, { recursive: true });
  const write = (name: string, config: object) => writeFileSync(join(project, name), JSON.stringify(config, null, 2));
  write('tsconfig.node16.json', tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out-node16' }, ['node16.ts']));
  write('tsconfig.nodenext.json', tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out-nodenext' }, ['nodenext.mts']));
  write('tsconfig.bundler.json', tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }, ['bundler.ts']));
}, 8 * MINUTE);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('invokeai-rx installed from its tarball', { timeout: 5 * MINUTE }, () => {
  it('ships dist, data, LICENSE, README and package.json; no sources or tests', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'data/workflows/sdxl_base.json']));
    for (const entry of ENTRIES) {
      expect(paths).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.cjs`, `dist/${entry}.d.ts`, `dist/${entry}.d.cts`]));
    }
    expect(paths).toContain('dist/cli.js');
    const unexpected = paths.filter((p) => !/^(dist|data)\//.test(p) && !['LICENSE', 'README.md', 'package.json'].includes(p));
    expect(unexpected).toEqual([]);
  });

  it('loads every entry point with require() on Node without require(esm)', async () => {
    const specifiers = ENTRIES.map((e) => (e === 'index' ? 'invokeai-rx' : `invokeai-rx/${e}`));
    const script = `for (const s of ${JSON.stringify(specifiers)}) require(s); console.log('loaded');`;
    expect(await run(process.execPath, ['--no-experimental-require-module', '-e', script], project)).toContain('loaded');
  });

  it('runs base → refine → upscale from CommonJS without require(esm), type-checked as module node16', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], project);
    // As on Node 20.0–20.18, where require() of an ES module fails.
    const stdout = await run(process.execPath, ['--no-experimental-require-module', 'out-node16/node16.js'], project);
    expect(stagesOf(stdout)).toEqual(EXPECTED_STAGES);
  });

  it('runs base → refine → upscale from an ES module, type-checked as module nodenext', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], project);
    const stdout = await run(process.execPath, ['out-nodenext/nodenext.mjs'], project);
    expect(stagesOf(stdout)).toEqual(EXPECTED_STAGES);
  });

  it('type-checks for a bundler (moduleResolution bundler)', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project);
  });
});
