import { existsSync } from 'node:fs';
import { launch, type Browser } from 'puppeteer-core';

/** Debian's chromium; `.ci/run` installs it when missing (puppeteer's own download cannot work offline). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The LAN host name the tests map to 127.0.0.1: a page served from it is not a secure context. */
export const LAN_HOST = 'invoke-box';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH).`);
  }
  return launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`],
  });
}
