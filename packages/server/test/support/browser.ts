/** Debian's chromium driven by playwright-core; missing chromium skips (or fails under REQUIRE_SERVICES=1). */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { REQUIRE_SERVICES } from './helpers.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (REQUIRE_SERVICES) throw new Error(`chromium is required (REQUIRE_SERVICES=1) but ${CHROMIUM} is missing`);
    t.skip(`no chromium at ${CHROMIUM}`);
    return undefined;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
