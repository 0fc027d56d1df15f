/**
 * Debian's chromium driven by playwright-core (no browser download). The flags are the ones this
 * machine's CI needs: no sandbox (root in a container), no GPU (MapLibre falls back to SwiftShader
 * WebGL), and nothing that reaches out to the network on its own (the app must work offline).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // SwiftShader WebGL without a GPU; MapLibre needs WebGL.
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

export interface LaunchedBrowser {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile every time (--user-data-dir in a temp dir), removed on close. */
export async function launchChromium(viewport = { width: 1180, height: 760 }): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`chromium not found at ${CHROMIUM_PATH}: install the Debian package "chromium" (.ci/run does) or set CHROMIUM_PATH.`);
  const profile = mkdtempSync(join(tmpdir(), 'kt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'id-ID',
    timeout: 60_000,
  });
  return {
    browser: context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
