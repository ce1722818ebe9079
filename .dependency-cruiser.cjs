/**
 * The layers import downwards only (see DESIGN.md, "Layout"). `npm run lint:deps` checks it in CI:
 * a new import cycle or an import against the layer order fails the build.
 */
const core = '^src/(client|http|events|run|workflow|schemas|errors|quality|image|util)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles, type-only imports included, make the layers impossible to read one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-core-only',
      comment: 'The client core runs in browsers as it is: no operators, facade, emulator or CLI.',
      severity: 'error',
      from: { path: core },
      to: { path: '^(operators|src/(cli|emulator|pythonStyle))/' },
    },
    {
      name: 'core-no-node-builtins',
      comment: 'The core is browser-safe: Node built-ins only as types (resolved at call time).',
      severity: 'error',
      from: { path: core },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'bundled-table-off-the-default-path',
      comment:
        "InvokeAI 6.14's field table weighs ~20 kB gzip: the library loads a server's own table instead, so only the emulator and the 'invokeai-rx/field-table' entry may import it.",
      severity: 'error',
      from: { path: '^(operators|src/(client|http|events|run|workflow|schemas|errors|quality|image|util|pythonStyle))/', pathNot: '^src/workflow/fieldTable\\.ts$' },
      to: { path: '^src/workflow/fieldTable(\\.generated)?\\.ts$' },
    },
    {
      name: 'image-is-a-leaf',
      comment: 'The image module serves the emulator, the CLI and the quality metric; it knows none of them.',
      severity: 'error',
      from: { path: '^src/image/' },
      to: { path: '^(src|operators)/', pathNot: '^src/image/' },
    },
    {
      name: 'emulator-knows-no-client',
      comment: 'The emulator is a server: shared schemas, the generated field table and images at most.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: {
        path: '^(src|operators)/',
        pathNot: ['^src/emulator/', '^src/schemas/', '^src/workflow/fieldTable', '^src/image/'],
      },
    },
    {
      name: 'operators-below-applications',
      comment: 'Operators build on the core; they never reach into the CLI, the emulator or the facade.',
      severity: 'error',
      from: { path: '^operators/' },
      to: { path: '^src/(cli|emulator|pythonStyle)/' },
    },
    {
      name: 'facade-wraps-core',
      comment: "The Python client's vocabulary wraps a core client; it is not part of the CLI or emulator.",
      severity: 'error',
      from: { path: '^src/pythonStyle/' },
      to: { path: '^src/(cli|emulator)/' },
    },
    {
      name: 'cli-uses-public-entries',
      comment: 'The CLI is an application: it sees the library only through its published entry points.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: {
        path: '^(src|operators)/',
        pathNot: [
          '^src/cli/',
          '^src/index\\.ts$',
          '^operators/index\\.ts$',
          '^src/emulator/index\\.ts$',
          '^src/pythonStyle/index\\.ts$',
          '^src/image/index\\.ts$',
          '^src/fieldTable\\.ts$',
        ],
      },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
