import type { CliCommand } from './command.js';

/** Loads one command's module. */
export type CommandLoader = () => Promise<CliCommand>;

/**
 * The `invokeai-rx` commands by name. Each lives in its own module, loaded only when it is run, so
 * `inputs` and `payload` never pay for the emulator or the pipeline.
 */
export const COMMAND_TABLE: Readonly<Record<string, CommandLoader>> = {
  inputs: () => import('./commands/inputs.js').then((m) => m.inputsCommand),
  payload: () => import('./commands/payload.js').then((m) => m.payloadCommand),
  serve: () => import('./commands/serve.js').then((m) => m.serveCommand),
  run: () => import('./commands/run.js').then((m) => m.runCommand),
  refine: () => import('./commands/refine.js').then((m) => m.refineCommand),
  doctor: () => import('./commands/doctor.js').then((m) => m.doctorCommand),
  models: () => import('./commands/models.js').then((m) => m.modelsCommand),
  clean: () => import('./commands/clean.js').then((m) => m.cleanCommand),
};
