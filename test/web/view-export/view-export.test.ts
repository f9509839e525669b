import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { clientLayers, startTestServer, type TestServer } from '../../support/app-server.js';
import {
  launchBrowser,
  logInThroughDialog,
  type TestBrowser,
  waitForMapDrawn,
} from '../../support/browser.js';
import { toWebMercator } from '../../support/web-mercator.js';

let server: TestServer;
let browser: TestBrowser;
/** Another origin (another port of 127.0.0.1) serving an image without CORS headers. */
let otherOrigin: http.Server;
let otherOriginUrl: string;
const password = 'irigasi-teknis-2025';

const picture =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">' +
  '<rect width="64" height="64" fill="#3366cc"/></svg>';

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'psda', password, roles: ['irrigation:editor'] });
  browser = await launchBrowser();
  otherOrigin = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(picture);
  });
  otherOrigin.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => otherOrigin.once('listening', () => resolve()));
  otherOriginUrl = `http://127.0.0.1:${(otherOrigin.address() as AddressInfo).port}/tile.svg`;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => otherOrigin?.close(resolve));
});

/**
 * Opens the map with every text drawn on a canvas recorded in `window.__drawnTexts`, so a
 * test can read the caption an exported image carries.
 */
async function openMap(language: 'id' | 'en'): Promise<Page> {
  const page = await browser.context.newPage();
  await page.addInitScript((chosen) => {
    localStorage.setItem('simpul.language', chosen);
    const drawn: string[] = [];
    (window as unknown as { __drawnTexts: string[] }).__drawnTexts = drawn;
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
      drawn.push(String(text));
      return fillText.call(this, text, ...rest);
    };
  }, language);
  await page.goto(server.baseUrl);
  await page.waitForFunction(
    () => document.body.dataset.layersRendered?.includes('kecamatan'),
    null,
    {
      timeout: 20000,
    },
  );
  return page;
}

async function showOnlyLayers(page: Page, layerIds: string[]) {
  for (const checkbox of await page.locator('#layer-tree input[data-layer-id]').all()) {
    const layerId = await checkbox.getAttribute('data-layer-id');
    await checkbox.setChecked(layerIds.includes(layerId ?? ''));
  }
}

/** Presses the export button and reads the PNG downloaded, with the texts drawn meanwhile. */
async function exportView(page: Page, buttonName: string) {
  await page.evaluate(
    () => ((window as unknown as { __drawnTexts: string[] }).__drawnTexts.length = 0),
  );
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 20000 }),
    page.getByRole('button', { name: buttonName }).click(),
  ]);
  const png = await readFile((await download.path())!);
  const texts = await page.evaluate(
    () => (window as unknown as { __drawnTexts: string[] }).__drawnTexts,
  );
  return { png, texts, fileName: download.suggestedFilename() };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer) {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** The share of pixels in the image's top `heightShare` unlike the map's background. */
async function drawnShareOfTop(page: Page, png: Buffer, heightShare = 0.5) {
  return page.evaluate(
    async ([base64, share]) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const top = Math.floor(bitmap.height * share);
      const pixels = context.getImageData(0, 0, bitmap.width, top).data;
      let drawn = 0;
      const background = [0xf7, 0xf8, 0xf6];
      for (let i = 0; i < pixels.length; i += 4) {
        const differs = background.some(
          (value, channel) => Math.abs(pixels[i + channel]! - value) > 8,
        );
        if (differs) drawn += 1;
      }
      return drawn / (pixels.length / 4);
    },
    [png.toString('base64'), heightShare] as const,
  );
}

describe('export of the map view', () => {
  it('downloads a PNG of the map with title, date, scale, sources and legend', async () => {
    const page = await openMap('id');
    await showOnlyLayers(page, ['kecamatan']);
    const mapSize = await page.evaluate(() => window.__simpulMap!.getSize());

    const { png, texts, fileName } = await exportView(page, 'Unduh tampilan peta (PNG)');

    expect(pngSize(png)).toEqual(mapSize);
    expect(await drawnShareOfTop(page, png)).toBeGreaterThan(0.2);
    expect(fileName).toMatch(/^peta-kabupaten-cilacap-\d{4}-\d\d-\d\d\.png$/);
    expect(texts).toContain('Simpul · Kabupaten Cilacap');
    expect(texts.find((t) => t.startsWith('Dibuat '))).toMatch(
      / · skala ±1:[\d.]+ pada layar 96 dpi$/,
    );
    expect(texts.find((t) => t.startsWith('Sumber: '))).toBeDefined();
    expect(texts).toEqual(expect.arrayContaining(['Legenda', 'Kecamatan']));
    expect(texts.some((t) => t.includes('bukan data resmi'))).toBe(false);
    await expect
      .poll(() => page.locator('.view-export__status').textContent())
      .toBe('Gambar peta diunduh.');
    await page.close();
  });

  it('leaves the dashboard colouring of the kecamatan out of the image', async () => {
    const page = await openMap('id');
    await showOnlyLayers(page, []);
    await page.locator('.dashboard__open').click();
    await page.locator('.dashboard__chart canvas').waitFor({ timeout: 60000 });
    const unitsColoured = () =>
      window.__simpulMap!.getAllLayers().some((layer) => {
        const source = layer.getSource() as { getFeatures?: () => unknown[] } | null;
        return (source?.getFeatures?.().length ?? 0) > 0;
      });
    await page.waitForFunction(unitsColoured, null, { timeout: 20000 });
    await waitForMapDrawn(page);

    const { png } = await exportView(page, 'Unduh tampilan peta (PNG)');

    // the map above the caption: no layer is shown, so only a colouring would draw there
    expect(await drawnShareOfTop(page, png, 0.8)).toBeLessThan(0.01);
    await page.close();
  });

  it('leaves the plan parcel and a measurement being drawn out of the image', async () => {
    const page = await openMap('id');
    await showOnlyLayers(page, []);
    const { x: left, y: top, width, height } = (await page.locator('#map').boundingBox())!;
    const at = (x: number, y: number) => [left + width * x, top + height * y] as const;

    // a parcel over a third of the map, answered in the plan sheet beside it
    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(1).click();
    for (const [x, y] of [at(0.1, 0.1), at(0.5, 0.1), at(0.5, 0.6)]) {
      await page.mouse.click(x, y);
    }
    await page.mouse.dblclick(...at(0.1, 0.6));
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    await waitForMapDrawn(page);
    const withParcel = await exportView(page, 'Unduh tampilan peta (PNG)');
    const parcelOnScreen = await page.locator('.plan-lookup').isVisible();

    // an area being measured, three corners tapped and not finished
    await page.getByRole('button', { name: 'Ukur jarak atau luas' }).click();
    await page.locator('.measure-bar [data-action="area"]').click();
    for (const [x, y] of [at(0.1, 0.1), at(0.6, 0.1), at(0.6, 0.6)]) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(300);
    }
    await waitForMapDrawn(page);
    const withSketch = await exportView(page, 'Unduh tampilan peta (PNG)');
    const sketchKept = await page.locator('.measure-bar__result').textContent();

    expect(parcelOnScreen).toBe(true);
    expect(await drawnShareOfTop(page, withParcel.png, 0.8)).toBeLessThan(0.01);
    expect(await drawnShareOfTop(page, withSketch.png, 0.8)).toBeLessThan(0.01);
    // the measurement goes on after the export, its figure live
    expect(sketchKept).toMatch(/^Luas: /);
    await page.close();
  });

  it("leaves the editor's own drawing of the features it edits out of the image", async () => {
    const inside = await server.testDatabase.database.pool.query(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat
       FROM (SELECT ST_PointOnSurface(geom) AS p FROM irrigation_area ORDER BY id LIMIT 1) a`,
    );
    const centre = [inside.rows[0].lon, inside.rows[0].lat] as [number, number];
    const page = await openMap('id');
    await logInThroughDialog(page, 'psda', password);
    await page
      .locator('#edit-layer option[value="irrigation_area"]')
      .waitFor({ state: 'attached' });
    await page.evaluate((at) => {
      window.__simpulMap!.getView().setCenter(at);
      window.__simpulMap!.getView().setZoom(16);
    }, toWebMercator(centre));
    await page.locator('#edit-layer').selectOption('irrigation_area');
    const holdsFeatures = () => (window.__simpulEditor?.currentSession?.all().length ?? 0) > 0;
    await page.waitForFunction(holdsFeatures);
    // the layer's own tiles hidden: what is left on the map is the editor's drawing
    await showOnlyLayers(page, []);
    await waitForMapDrawn(page);
    const { x, y, width, height } = (await page.locator('#map').boundingBox())!;
    const middle = { x: x + width / 4, y: y + height / 4, width: width / 2, height: height / 2 };

    const { png } = await exportView(page, 'Unduh tampilan peta (PNG)');

    expect(await drawnShareOfTop(page, png, 0.8)).toBeLessThan(0.01);
    // on screen the edited area is still drawn, around the point inside it
    const onScreen = await page.screenshot({ clip: middle });
    expect(await drawnShareOfTop(page, onScreen, 1)).toBeGreaterThan(0.05);
    await page.close();
  });

  it('carries the sample data warning in both languages when a sample layer is drawn', async () => {
    const page = await openMap('en');
    const layers = await clientLayers(server);
    const sample = layers.find((l) => l.metadata.sample && l.zoom.min <= 12)!;
    await showOnlyLayers(page, ['kecamatan', sample.id]);
    await page.evaluate(() => window.__simpulMap!.getView().setZoom(12));

    const { texts } = await exportView(page, 'Download the map view (PNG)');

    const notes = texts.filter((t) => t.includes('sample') || t.includes('contoh'));
    expect(texts.find((t) => t.startsWith('Made '))).toMatch(
      / · scale ±1:[\d,]+ on a 96 dpi screen$/,
    );
    expect(notes.join(' ')).toContain(`Data contoh buatan, bukan data resmi: ${sample.titleId}.`);
    expect(notes.join(' ')).toContain(
      `Invented sample data, not official data: ${sample.titleEn}.`,
    );
    expect(texts).toContain(`${sample.titleEn} (sample)`);
    await page.close();
  });

  it('keeps the keyboard on the export button while the picture is made', async () => {
    const page = await openMap('id');
    await showOnlyLayers(page, ['kecamatan']);
    let downloads = 0;
    page.on('download', () => (downloads += 1));
    const button = page.getByRole('button', { name: 'Unduh tampilan peta (PNG)' });

    await button.focus();
    await page.keyboard.press('Enter');
    const busy = await button.getAttribute('aria-disabled');
    const focusedWhileBusy = await button.evaluate((node) => node === document.activeElement);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.view-export__status').textContent(), { timeout: 20000 })
      .toBe('Gambar peta diunduh.');
    await page.waitForTimeout(500);

    expect(busy).toBe('true');
    expect(focusedWhileBusy).toBe(true);
    expect(await button.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await button.getAttribute('aria-disabled')).toBe('false');
    expect(downloads).toBe(1);
    await page.close();
  });

  // No Simpul layer draws images from another server without CORS today (the background map
  // asks for CORS), so a layer is made to: it draws such an image on its canvas, as a layer of
  // a server without CORS headers would.
  it('says why, not a blank image, when a layer drew a cross-origin image', async () => {
    const page = await openMap('id');
    await page.evaluate(async (url) => {
      const image = new Image();
      image.src = url;
      await image.decode();
      const layer = window
        .__simpulMap!.getAllLayers()
        .find((l) => l.get('layerDefinition')?.id === 'kecamatan')!;
      layer.on('postrender', (event) =>
        (event.context as CanvasRenderingContext2D).drawImage(image, 10, 10),
      );
      window.__simpulMap!.render();
    }, otherOriginUrl);
    let downloaded = false;
    page.on('download', () => (downloaded = true));

    await page.getByRole('button', { name: 'Unduh tampilan peta (PNG)' }).click();
    const status = page.locator('.view-export__status--failed');
    await status.waitFor({ timeout: 20000 });

    expect(await status.textContent()).toContain('tidak mengizinkan penyalinan (CORS)');
    expect(await status.getAttribute('role')).toBe('status');
    expect(downloaded).toBe(false);
    await page.close();
  });
});
