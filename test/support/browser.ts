import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { toWebMercator } from './web-mercator.js';

/** Debian's chromium package; the tests never download a browser. */
const chromiumPath = '/usr/bin/chromium';

// Without the networking flags chromium keeps trying hosts this closed network refuses.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Options for `chromium.launchPersistentContext(freshProfileDir, …)` in every browser test:
 * headless Debian chromium at the given viewport size in CSS pixels.
 */
export function chromiumOptions(viewport: { width: number; height: number }) {
  return { executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport };
}

/** A headless chromium with a profile of its own; `close` also removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Debian's chromium on a fresh profile folder at the given viewport size. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<TestBrowser> {
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'simpul-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, chromiumOptions(viewport));
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the web map has drawn its current view with every tile loaded: after a change
 * of view or of the layers shown, a read or a click before that meets the features of the
 * view before (or none).
 */
export async function waitForMapDrawn(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise((drawn) => {
        window.__simpulMap!.once('rendercomplete', drawn);
        window.__simpulMap!.render();
      }),
  );
}

/**
 * Logs `name` in through the app bar's login dialog and waits until the app bar names them.
 * The password check (argon2) takes seconds on a loaded machine, so the wait is long: an
 * `expect.poll` of its default second failed there. `tap` taps instead of clicking (touch).
 */
export async function logInThroughDialog(
  page: Page,
  name: string,
  password: string,
  { tap = false } = {},
): Promise<void> {
  const press = (selector: string) =>
    tap ? page.locator(selector).tap() : page.locator(selector).click();
  await press('#login-button');
  await page.locator('.login-dialog input[name=name]').fill(name);
  await page.locator('.login-dialog input[name=password]').fill(password);
  await press('.login-dialog button[type=submit]');
  await page.locator('#login-button', { hasText: name }).waitFor({ timeout: 30000 });
}

/** Page coordinates of a lon/lat on the map (`window.__simpulMap`, in the `#map` element). */
export async function pagePointOf(page: Page, lonLat: [number, number]) {
  const pixel = (await page.evaluate(
    (at) => window.__simpulMap!.getPixelFromCoordinate(at),
    toWebMercator(lonLat),
  )) as [number, number];
  const box = (await page.locator('#map').boundingBox())!;
  return { x: box.x + pixel[0], y: box.y + pixel[1] };
}

/**
 * Opens the map in a new page of `context` at `viewport`, logs `user` in, shows `centre`
 * (lon/lat) at zoom 17 and chooses layer `layerId` to edit. On a phone the panel, where the
 * layer is chosen, starts closed: it is opened first.
 */
export async function openEditorAs(
  context: BrowserContext,
  baseUrl: string,
  editing: { user: string; password: string; layerId: string; centre: [number, number] },
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  await context.clearCookies();
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.__simpulMap && window.__simpulEditor);
  if (viewport.width < 720) await page.locator('#panel-toggle').click();
  await logInThroughDialog(page, editing.user, editing.password);
  await page.waitForFunction(
    (id) => !!document.querySelector(`#edit-layer option[value="${id}"]`),
    editing.layerId,
  );
  await page.evaluate((c) => {
    const view = window.__simpulMap!.getView();
    view.setCenter(c);
    view.setZoom(17);
  }, toWebMercator(editing.centre));
  await page.locator('#edit-layer').selectOption(editing.layerId);
  return page;
}
