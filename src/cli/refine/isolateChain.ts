import { EMPTY, type Observable, catchError, defer } from 'rxjs';
import { isLostInput } from './isLostInput.js';

/** One chain (prompt × seed) that did not finish. */
export interface ChainFailure {
  /** How the summary names the chain, e.g. `prompt 3 (seed 44)`. */
  label: string;
  variation: number;
  seed: number;
  /** Stage row the error came from, when known. */
  key?: string;
  error: unknown;
}

export interface IsolateChainOptions {
  label: string;
  variation: number;
  seed: number;
  /** Where a failed chain is recorded. */
  failures: ChainFailure[];
  /** The stage row an error belongs to. */
  keyOf: (error: unknown) => string | undefined;
  /** How often a chain whose input image the server lost is made again from its prompt. @default 2 */
  reruns?: number;
  /** Called before a chain is made again (the images it saved so far will be replaced). */
  onRerun?: (label: string, error: unknown) => void;
}

/**
 * Runs one chain so that its failure ends only that chain: the error is recorded in
 * `failures` and the stream completes, so the other chains go on. When the server lost the
 * chain's input image (`isLostInput`), the chain is made again from its prompt first.
 *
 * ```
 * chain:   --b--r--#(lost input)   --b--r--u--|        --b--#(OOM)
 * output:  --b--r------------------b--r--u--|          --b--|   failures: [OOM]
 * ```
 */
export function isolateChain<T>(chain: () => Observable<T>, options: IsolateChainOptions): Observable<T> {
  const reruns = options.reruns ?? 2;
  const attempt = (n: number): Observable<T> =>
    defer(chain).pipe(
      catchError((error: unknown) => {
        if (isLostInput(error) && n < reruns) {
          options.onRerun?.(options.label, error);
          return attempt(n + 1);
        }
        const key = options.keyOf(error);
        options.failures.push({ label: options.label, variation: options.variation, seed: options.seed, ...(key !== undefined ? { key } : {}), error });
        return EMPTY;
      }),
    );
  return attempt(0);
}
