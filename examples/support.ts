/**
 * What every example shares: a connection (a real InvokeAI server when `INVOKEAI_URL` is set,
 * otherwise the embedded emulator), the bundled workflows, and saving images to disk.
 *
 * Environment:
 * - `INVOKEAI_URL`   – a running InvokeAI (`http://127.0.0.1:9090`); unset = start the emulator.
 * - `INVOKEAI_TOKEN` – bearer token for a multi-user server or an authenticating proxy.
 * - `OUT_DIR`        – where images go (one sub-folder per example). @default examples/out
 * - `IMAGE_SIZE`     – width and height of generated images. @default 1024 on a server, 256 on the emulator
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { InvokeAIClient, loadWorkflowFile, syncModels, type Workflow } from 'invokeai-rx';
import { startEmulator, type Emulator } from 'invokeai-rx/emulator';
import { decode } from 'fast-png';

const examplesDir = dirname(fileURLToPath(import.meta.url));

/** An open connection; `close()` closes the client's socket and stops the emulator, if any. */
export interface Connection {
  client: InvokeAIClient;
  /** The embedded emulator, `null` when talking to a real server. */
  emulator: Emulator | null;
  /** Where the client points. */
  url: string;
  close(): Promise<void>;
}

/**
 * Connects to `INVOKEAI_URL` when it is set, otherwise starts the embedded emulator on a free
 * loopback port and connects to it.
 */
export async function connect(options: { msPerStep?: number } = {}): Promise<Connection> {
  const url = process.env['INVOKEAI_URL'];
  if (url) {
    const token = process.env['INVOKEAI_TOKEN'];
    const client = InvokeAIClient.fromUrl(url, token ? { token } : {});
    return { client, emulator: null, url, close: async () => client.close() };
  }
  // A few ms per denoising step, so progress events are visible without slowing anything down.
  const emulator = await startEmulator({ port: 0, timing: { msPerStep: options.msPerStep ?? 3 } });
  const client = InvokeAIClient.fromUrl(emulator.url);
  return {
    client,
    emulator,
    url: emulator.url,
    close: async () => {
      client.close();
      await emulator.close();
    },
  };
}

/** Path of a bundled workflow: `workflowPath('sdxl_base')` → `<repo>/data/workflows/sdxl_base.json`. */
export function workflowPath(name: string): string {
  return resolve(examplesDir, '..', 'data', 'workflows', `${name}.json`);
}

/**
 * Loads a bundled workflow and rebinds its model references to the models installed on the
 * server (exported workflows carry the model keys of the machine they were exported on); the
 * counterpart of the Python client's `sync_dnn_model(by_name=True, by_base=True)`.
 */
export async function loadWorkflow(client: InvokeAIClient, name: string): Promise<Workflow> {
  return syncWithServer(client, loadWorkflowFile(workflowPath(name)));
}

/** Rebinds a workflow's model references to the server's installed models (see {@link loadWorkflow}). */
export async function syncWithServer(client: InvokeAIClient, workflow: Workflow): Promise<Workflow> {
  const models = await firstValueFrom(client.models.list());
  return syncModels(workflow, models, { byName: true, byBase: true });
}

/** Width and height for generated images (see `IMAGE_SIZE` above). */
export function imageSize(connection: Connection): number {
  const fromEnv = Number(process.env['IMAGE_SIZE']);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return connection.emulator ? 256 : 1024;
}

/** The output folder of one example (`$OUT_DIR/<example>`, default `examples/out/<example>`), created if missing. */
export function outputDir(example: string): string {
  const root = process.env['OUT_DIR'] ? resolve(process.env['OUT_DIR']) : join(examplesDir, 'out');
  const dir = join(root, safeName(example));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A file name that cannot leave its folder: only letters, digits, `.`, `_` and `-`, no leading dot.
 * Image names come from the server; they are data, never paths.
 */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '').slice(0, 120);
  return cleaned === '' ? 'unnamed' : cleaned;
}

/** Writes bytes to `<dir>/<safe file name>` and returns the path. */
export function saveFile(dir: string, fileName: string, bytes: Uint8Array): string {
  const path = resolve(dir, safeName(fileName));
  if (!path.startsWith(resolve(dir) + sep)) throw new Error(`refusing to write outside ${dir}: ${fileName}`);
  writeFileSync(path, bytes);
  return path;
}

/** A saved image. */
export interface SavedImage {
  path: string;
  width: number;
  height: number;
}

/** Downloads an image (full resolution PNG) and saves it as `<dir>/<fileName>`. */
export async function saveImage(client: InvokeAIClient, imageName: string, dir: string, fileName: string): Promise<SavedImage> {
  const bytes = await firstValueFrom(client.images.download(imageName));
  const { width, height } = decode(bytes);
  return { path: saveFile(dir, fileName, bytes), width, height };
}

/** A path relative to the current directory, for printing. */
export function shown(path: string): string {
  const cwd = process.cwd() + sep;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** `5d2c3f0e-….png` → `5d2c3f0e…png`: enough of an image name to tell images apart in a log. */
export function short(imageName: string): string {
  return imageName.length > 14 ? `${imageName.slice(0, 8)}…${imageName.slice(-4)}` : imageName;
}

/**
 * Runs an example: connects, runs `body`, and always closes the connection. A failure prints
 * the error's name and message (not a dump of the whole queue item) and sets exit code 1.
 */
export async function runExample(name: string, body: (connection: Connection) => Promise<void>): Promise<void> {
  let connection: Connection | undefined;
  try {
    connection = await connect();
    console.log(`${name}: using ${connection.emulator ? `the embedded emulator at ${connection.url}` : connection.url}`);
    await body(connection);
  } catch (error) {
    const e = error as Error;
    console.error(`${name} failed: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    await connection?.close();
  }
}
