import { defineConfig } from 'tsup';

// The library's entry points, one line each; package.json `exports` names the same files.
const entry = {
  index: 'src/index.ts',
  operators: 'operators/index.ts',
  emulator: 'src/emulator/index.ts',
  'python-style': 'src/pythonStyle/index.ts',
  'field-table': 'src/fieldTable.ts',
};

// Dependencies published as ES modules only: Node before 20.19 cannot require() them, so the
// CommonJS build carries its own copy. (Their types must not appear in the public API either: a
// CommonJS TypeScript project cannot import them, TS1479.)
const esmOnly = ['fast-png', 'iobuffer'];

export default defineConfig([
  {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    // Only this build cleans dist/: the builds run in parallel.
    clean: true,
    target: 'node20',
  },
  {
    entry,
    format: ['cjs'],
    dts: true,
    noExternal: esmOnly,
    // `import.meta.url` (bundledWorkflowPath) becomes the file URL of the .cjs file.
    shims: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
