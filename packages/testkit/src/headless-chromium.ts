// Headless Chromium (Debian's `chromium`, installed by scripts/setup.sh) driven with playwright-core
// (Apache-2.0; it drives an installed browser and downloads nothing). Tests run as root, where
// Chromium needs --no-sandbox.
import { chromium, type Browser } from 'playwright-core';

export function chromiumPath(): string {
  return process.env['EDDY_CHROMIUM'] ?? '/usr/bin/chromium';
}

export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export type { Browser, Page } from 'playwright-core';
