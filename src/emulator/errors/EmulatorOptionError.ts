/** An option of `startEmulator` that cannot work, named with what to pass instead. */
export class EmulatorOptionError extends Error {
  override name = 'EmulatorOptionError' as const;
  /** The option's name, e.g. `allowOrigins`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

export function isEmulatorOptionError(e: unknown): e is EmulatorOptionError {
  return e instanceof EmulatorOptionError || (e instanceof Error && e.name === 'EmulatorOptionError');
}
