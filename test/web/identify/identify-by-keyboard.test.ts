import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, type TestBrowser, waitForMapDrawn } from '../../support/browser.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** Inside kecamatan Kroya (33.01.06), about 2.9 km from its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the map centred on Kroya at zoom 12, its kecamatan drawn. */
async function openMapOnKroya(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => document.body.dataset.layersRendered?.includes('kecamatan'));
  await page.evaluate((centre) => {
    window.__simpulMap!.getView().setCenter(centre);
    window.__simpulMap!.getView().setZoom(12);
  }, toWebMercator(kroyaInnerPoint));
  await waitForMapDrawn(page);
  return page;
}

describe('identify from the keyboard', () => {
  it('opens the popup of the feature under the cross on Enter pressed on the map', async () => {
    const page = await openMapOnKroya();
    const cross = page.locator('.keyboard-crosshair');
    const crossBeforeFocus = await cross.isVisible();

    await page.locator('#map').focus();
    const crossOnFocus = await cross.isVisible();
    await page.keyboard.press('Enter');
    const popup = page.locator('#identify-popup');

    expect(crossBeforeFocus).toBe(false);
    expect(crossOnFocus).toBe(true);
    await expect.poll(() => popup.isVisible()).toBe(true);
    expect(await popup.locator('.identify__title').innerText()).toBe('Kroya');
    await page.close();
  });

  // The dashboard lies along the map's right edge, over its centre on a 1280 px screen.
  it('taps the middle of the map an open sheet leaves in view, under the cross', async () => {
    const page = await openMapOnKroya();
    await page.locator('.dashboard__open').press('Enter');
    await page.locator('.dashboard').waitFor();

    await page.locator('#map').focus();
    const cross = await page.locator('.keyboard-crosshair').boundingBox();
    const middle = { x: cross!.x + cross!.width / 2, y: cross!.y + cross!.height / 2 };
    const underCross = (point: { x: number; y: number }) =>
      page.evaluate(
        ({ x, y }) => document.elementFromPoint(x, y)?.closest('aside')?.className,
        point,
      );
    const sheetUnderCross = await underCross(middle);
    await page.keyboard.press('Enter');
    const popup = page.locator('#identify-popup');
    await expect.poll(() => popup.isVisible()).toBe(true);
    const shown = await popup.boundingBox();
    const popupMiddle = { x: shown!.x + shown!.width / 2, y: shown!.y + shown!.height / 2 };

    expect(sheetUnderCross).toBeUndefined();
    expect(await underCross(popupMiddle)).toBeUndefined();
    await page.close();
  });
});
