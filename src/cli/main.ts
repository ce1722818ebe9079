import { runCli } from './runCli.js';

// The exit is explicit: requests to a server that never answers (abandoned after Ctrl-C or the
// set-up bound) must not keep the process alive until their own timeouts and retries run out.
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`invokeai-rx: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
