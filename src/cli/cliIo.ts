/** What a command reads from and writes to: the process, or a recorder in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (live progress bars vs plain lines). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads all of standard input (`--prompts -`). */
  stdin?: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
