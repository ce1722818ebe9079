/** `work`, or a rejection with `onTimeout()` once `ms` have passed, whichever comes first. */
export function bounded<T>(work: Promise<T>, ms: number, onTimeout: () => unknown): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms`, or at once when `early` resolves first. */
export function graceUntil(ms: number, early: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([early.then(() => undefined, () => undefined), late]).finally(() => clearTimeout(timer));
}
