import { UsageError } from './errors/UsageError.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  /** Values of repeatable options, in order. */
  values: Map<string, string[]>;
}

/** Minimal `--flag` / `--option VALUE` / `--option=VALUE` parser shared by the commands; bad input throws {@link UsageError}. */
export function parseArgs(argv: readonly string[], spec: { flags: readonly string[]; repeatable: readonly string[] }): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
      parsed.flags.add(name);
    } else if (spec.repeatable.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option ${arg.slice(0, eq === -1 ? undefined : eq)}`);
    }
  }
  return parsed;
}
