import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples and docs import the package by name; resolve it to the sources, as tsconfig does.
    alias: [
      { find: /^invokeai-rx\/operators$/, replacement: here('./operators/index.ts') },
      { find: /^invokeai-rx\/emulator$/, replacement: here('./src/emulator/index.ts') },
      { find: /^invokeai-rx\/python-style$/, replacement: here('./src/pythonStyle/index.ts') },
      { find: /^invokeai-rx\/field-table$/, replacement: here('./src/fieldTable.ts') },
      { find: /^invokeai-rx$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real emulators on loopback; a loaded 2-core machine needs headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
