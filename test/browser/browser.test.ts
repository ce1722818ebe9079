/**
 * The library in a real browser: the example page (examples/browser, bundled with esbuild) runs a
 * pipeline in headless Chromium against the emulator, from the emulator's own origin, from another
 * origin, from a non-secure LAN host name, with a multi-user token, and blocked by CORS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from 'invokeai-rx/emulator';
import { buildBrowserExample } from '../../examples/browser/build.js';
import { LAN_HOST, launchChromium } from './support/browser.js';
import { startStaticServer } from './support/staticServer.js';

const USERS = [{ email: 'ada@example.com', password: 'correct horse', is_admin: false }];

let browser: Browser;
let dist: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'invokeai-rx-browser-'));
  await buildBrowserExample(dist);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await browser?.close();
  rmSync(dist, { recursive: true, force: true });
});

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, staticDir: dist, ...options });
  cleanups.push(() => emu.close());
  return emu;
}

async function open(url: string): Promise<{ page: Page; logs: string[] }> {
  const page = await browser.newPage();
  cleanups.push(() => page.close());
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${(e as Error).message}`));
  await page.goto(url);
  return { page, logs };
}

function query(params: Record<string, string>): string {
  return `?${new URLSearchParams({ autostart: '1', size: '64', ...params })}`;
}

async function finalState(page: Page, timeout = 90_000): Promise<string> {
  await page.waitForFunction(() => ['done', 'failed', 'canceled'].includes(document.body.dataset['state'] ?? ''), { timeout });
  return page.evaluate(() => document.body.dataset['state']!);
}

/** Every image the page shows, with its decoded size (0 when it did not load). */
async function shownImages(page: Page) {
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  return page.evaluate(() =>
    [...document.images].map((img) => ({ stage: img.dataset['stage'], name: img.dataset['imageName'], width: img.naturalWidth })),
  );
}

function expectPipelineShown(images: { stage?: string; width: number }[], prompts: number, stages: string[]) {
  expect(images).toHaveLength(prompts * stages.length);
  for (const stage of stages) expect(images.filter((i) => i.stage === stage)).toHaveLength(prompts);
  for (const image of images) expect(image.width).toBeGreaterThan(0);
}

describe('in a real browser', () => {
  it('runs the pipeline from the emulator’s own origin, streaming every stage into the gallery', async () => {
    const emu = await emulator();
    const { page, logs } = await open(`${emu.url}/${query({ prompts: 'a lighthouse|a castle' })}`);
    expect(await finalState(page), logs.join('\n')).toBe('done');
    const images = await shownImages(page);
    expectPipelineShown(images, 2, ['generateBase', 'refine', 'upscale']);
    // Upscaled ×2 from the 64-pixel base.
    for (const image of images.filter((i) => i.stage === 'upscale')) expect(image.width).toBe(128);
    expect(await page.$eval('#errors', (el) => el.textContent)).toBe('');
    // Progress came from the socket events: every stage row saw its item complete.
    const rowStates = await page.$$eval('.stage', (rows) => rows.map((r) => (r as HTMLElement).dataset['state']));
    expect(rowStates).toEqual(Array(6).fill('completed'));
    expect(emu.queue.items().map((i) => i.status)).toEqual(Array(6).fill('completed'));
  });

  it('runs from another origin listed in --allow-origins', async () => {
    const site = await startStaticServer(dist);
    cleanups.push(() => site.close());
    const emu = await emulator({ allowOrigins: [site.url] });
    const { page, logs } = await open(`${site.url}/${query({ server: emu.url, prompts: 'a harbour', upscale: '0' })}`);
    expect(await finalState(page), logs.join('\n')).toBe('done');
    expectPipelineShown(await shownImages(page), 1, ['generateBase', 'refine']);
  });

  it('runs from a LAN host name, where the page is not a secure context (no crypto.randomUUID)', async () => {
    const emu = await emulator();
    const { page, logs } = await open(`http://${LAN_HOST}:${emu.port}/${query({ prompts: 'a mill', upscale: '0' })}`);
    expect(await page.evaluate(() => [window.isSecureContext, typeof crypto.randomUUID])).toEqual([false, 'undefined']);
    expect(await finalState(page), logs.join('\n')).toBe('done');
    expectPipelineShown(await shownImages(page), 1, ['generateBase', 'refine']);
    // Batch ids made with getRandomValues are still UUIDs.
    for (const item of emu.queue.items()) expect(item.batch_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('Cancel unsubscribes, and the server shows the item canceled with nothing pending or running', async () => {
    const emu = await emulator({ timing: { msPerStep: 150 } });
    const { page } = await open(`${emu.url}/${query({ prompts: 'a slow one' })}`);
    const running = await vi.waitFor(
      () => {
        const item = emu.queue.items().find((i) => i.status === 'in_progress');
        expect(item).toBeDefined();
        return item!.item_id;
      },
      { timeout: 30_000, interval: 50 },
    );
    await page.click('#cancel');
    expect(await finalState(page)).toBe('canceled');
    // The item that was running is the one canceled, by the page's unsubscribe alone.
    await vi.waitFor(
      () => {
        expect(emu.queue.get(running)?.status).toBe('canceled');
        expect(emu.queue.items().filter((i) => i.status === 'pending' || i.status === 'in_progress')).toEqual([]);
      },
      { timeout: 15_000, interval: 50 },
    );
    // Nothing of the later stages was enqueued.
    expect(emu.queue.items()).toHaveLength(1);
  });

  it('with a multi-user token, images reach the page through the client (blob URLs), never an unauthenticated <img src>', async () => {
    const emu = await emulator({ multiUser: { users: USERS } });
    const login = await fetch(`${emu.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: USERS[0]!.email, password: USERS[0]!.password }),
    });
    const { token } = (await login.json()) as { token: string };
    const { page, logs } = await open(`${emu.url}/${query({ token, prompts: 'a locked door', upscale: '0' })}`);
    expect(await finalState(page), logs.join('\n')).toBe('done');
    const images = await shownImages(page);
    expectPipelineShown(images, 1, ['generateBase', 'refine']);
    expect(await page.$$eval('img', (imgs) => imgs.every((i) => (i as HTMLImageElement).src.startsWith('blob:')))).toBe(true);
    // The same image by plain URL is refused: that is why the helper exists.
    const plain = await page.evaluate(async (url) => (await fetch(url)).status, `${emu.url}/api/v1/images/i/${images[0]!.name}/full`);
    expect(plain).toBe(401);
  });

  it('blocked by CORS (another origin, not allowed): a clear error within seconds, nothing retried as if the server were down', async () => {
    const site = await startStaticServer(dist);
    cleanups.push(() => site.close());
    const emu = await emulator();
    const started = Date.now();
    const { page } = await open(`${site.url}/${query({ server: emu.url, prompts: 'a wall' })}`);
    expect(await finalState(page, 30_000)).toBe('failed');
    expect(Date.now() - started).toBeLessThan(10_000);
    const text = await page.$eval('#errors', (el) => el.textContent ?? '');
    expect(text).toContain('NetworkError');
    expect(text).toMatch(/allow_origins/);
    expect(text).toContain(site.url);
    expect(emu.queue.items()).toHaveLength(0);
  });
});
