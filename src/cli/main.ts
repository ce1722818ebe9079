import { runCli } from './runCli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`invokeai-rx: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
