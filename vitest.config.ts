import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real emulators on loopback; a loaded 2-core machine needs headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
