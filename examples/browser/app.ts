/**
 * A gallery page that streams a pipeline (base → refine → optional upscale) for several prompts:
 * each stage's image appears as soon as it lands, every queue item shows its progress from the
 * server's socket events, Cancel cancels the server's queue items (by unsubscribing), and a
 * failure is shown as the server reported it.
 *
 * Query parameters preset the form (the browser tests use them): `server`, `token`, `prompts`
 * (separated by `|`), `size`, `upscale=0`, `autostart=1`.
 */
import { EMPTY, type Observable, type Subscription, catchError, from, mergeMap, of, tap } from 'rxjs';
import {
  InvokeAIClient,
  isQueueItemFailedError,
  parseWorkflow,
  runWorkflow,
  type RunEvent,
} from 'invokeai-rx';
import { fullPipeline, type RunWorkflowFn, type StageOutput } from 'invokeai-rx/operators';
import sdxlBase from '../../data/workflows/sdxl_base.json';
import sdxlRefiner from '../../data/workflows/sdxl_refiner.json';
import esrganUpscale from '../../data/workflows/esrgan_upscale.json';

const workflows = {
  base: parseWorkflow(sdxlBase, { source: 'sdxl_base.json' }),
  refiner: parseWorkflow(sdxlRefiner, { source: 'sdxl_refiner.json' }),
  upscaler: parseWorkflow(esrganUpscale, { source: 'esrgan_upscale.json' }),
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('form');
const startButton = $<HTMLButtonElement>('start');
const cancelButton = $<HTMLButtonElement>('cancel');
const status = $('status');
const errors = $('errors');
const gallery = $('gallery');

let running: Subscription | null = null;
let client: InvokeAIClient | null = null;
const objectUrls: string[] = [];

presetFromQuery(new URLSearchParams(location.search));

form.addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});
cancelButton.addEventListener('click', () => finish('canceled', 'Canceled: the queue items still pending or running were canceled on the server.'));

function start(): void {
  finish(null, '');
  for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
  gallery.replaceChildren();
  errors.textContent = '';

  const server = $<HTMLInputElement>('server').value.trim() || location.origin;
  const token = $<HTMLInputElement>('token').value.trim();
  const size = Number($<HTMLInputElement>('size').value) || 256;
  const withUpscale = $<HTMLInputElement>('upscale').checked;
  const prompts = $<HTMLTextAreaElement>('prompts').value.split('\n').map((p) => p.trim()).filter(Boolean);

  client = InvokeAIClient.fromUrl(server, token ? { token } : {});
  const c = client;
  setState('running', `Running ${prompts.length} prompt(s)…`);
  startButton.disabled = true;
  cancelButton.disabled = false;

  // A failed prompt does not stop the others; the run as a whole failed if any of them did.
  let failures = 0;
  running = from(prompts)
    .pipe(mergeMap((prompt, i) => chain(c, prompt, i, size, withUpscale, () => failures++), 2))
    .subscribe({
      error: (error: unknown) => {
        showError(error);
        finish('failed', 'Failed.');
      },
      complete: () =>
        failures > 0
          ? finish('failed', `Failed: ${failures} of ${prompts.length} prompt(s).`)
          : finish('done', `Done: ${prompts.length} prompt(s).`),
    });
}

/** One prompt's chain: every stage's image is shown as it lands; its progress rows live in its card. */
function chain(
  c: InvokeAIClient,
  prompt: string,
  index: number,
  size: number,
  withUpscale: boolean,
  onFailure: () => void,
): Observable<StageOutput> {
  const card = document.createElement('section');
  card.className = 'chain';
  card.dataset['chain'] = String(index);
  card.append(Object.assign(document.createElement('h3'), { textContent: prompt }));
  gallery.append(card);

  const row = (stage: string) => {
    let el = card.querySelector<HTMLElement>(`[data-stage="${stage}"]`);
    if (!el) {
      el = document.createElement('div');
      el.className = 'stage';
      el.dataset['stage'] = stage;
      el.innerHTML = '<span class="name"></span><progress max="100" value="0"></progress><span class="note"></span>';
      el.querySelector('.name')!.textContent = stage;
      card.append(el);
    }
    return el;
  };
  // Wraps the run core so every socket event of this chain's queue items updates its row.
  const tracked = (stage: string): RunWorkflowFn => (client, workflow, options) =>
    runWorkflow(client, workflow, options).pipe(tap((event) => showProgress(row(stage), event)));

  return of({ prompt, seed: 1000 + index, width: size, height: size }).pipe(
    fullPipeline(c, {
      base: { workflow: workflows.base, run: tracked('generateBase') },
      refiner: { workflow: workflows.refiner, run: tracked('refine') },
      ...(withUpscale ? { upscaler: { workflow: workflows.upscaler, run: tracked('upscale') } } : {}),
      baseSteps: 20,
      refinerStrength: 0.3,
      upscaleFactor: 2,
    }),
    tap((result) => {
      // The refiner falls back to its input when it fails: the chain goes on with the base image.
      if (!result.ok) showError(`${result.stage} failed, continuing with its input: ${describe(result.error)}`, prompt);
      showResult(c, row(result.stage), result);
    }),
    catchError((error: unknown) => {
      showError(error, prompt);
      onFailure();
      return EMPTY;
    }),
  );
}

function showProgress(row: HTMLElement, event: RunEvent): void {
  const bar = row.querySelector('progress')!;
  const note = row.querySelector<HTMLElement>('.note')!;
  row.dataset['state'] = event.type;
  if (event.type === 'enqueued') note.textContent = 'queued';
  else if (event.type === 'started') note.textContent = 'started';
  else if (event.type === 'progress' && event.percentage !== null) bar.value = Math.round(event.percentage * 100);
  else if (event.type === 'completed') {
    bar.value = 100;
    note.textContent = 'done';
  } else if (event.type === 'failed') note.textContent = event.error.message;
}

function showResult(c: InvokeAIClient, row: HTMLElement, result: StageOutput): void {
  // Through the client: a Bearer token cannot ride on <img src>.
  c.images.blob(result.imageName).subscribe({
    next: (blob) => {
      const url = URL.createObjectURL(blob);
      objectUrls.push(url);
      const img = document.createElement('img');
      img.alt = `${result.stage}: ${result.imageName}`;
      img.dataset['imageName'] = result.imageName;
      img.dataset['stage'] = result.stage;
      if (!result.ok) img.dataset['fallback'] = '1';
      img.src = url;
      row.append(img);
    },
    error: (error: unknown) => showError(error),
  });
}

function showError(error: unknown, prompt?: string): void {
  const lines = [prompt ? `“${prompt}”: ${describe(error)}` : describe(error)];
  errors.textContent = [errors.textContent, ...lines].filter(Boolean).join('\n');
}

function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  // The server's own words: error type, message and the node that failed.
  if (isQueueItemFailedError(error)) return `${error.error_type ?? 'Error'}: ${error.error_message ?? error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function finish(state: 'done' | 'canceled' | 'failed' | null, text: string): void {
  running?.unsubscribe();
  running = null;
  client?.close();
  client = null;
  startButton.disabled = false;
  cancelButton.disabled = true;
  if (state) setState(state, text);
}

function setState(state: string, text: string): void {
  document.body.dataset['state'] = state;
  status.textContent = text;
}

function presetFromQuery(query: URLSearchParams): void {
  const set = (id: string, value: string | null) => {
    if (value !== null) $<HTMLInputElement>(id).value = value;
  };
  set('server', query.get('server'));
  set('token', query.get('token'));
  set('size', query.get('size'));
  const prompts = query.get('prompts');
  if (prompts !== null) $<HTMLTextAreaElement>('prompts').value = prompts.split('|').join('\n');
  if (query.get('upscale') === '0') $<HTMLInputElement>('upscale').checked = false;
  if (query.get('autostart') === '1') start();
}
