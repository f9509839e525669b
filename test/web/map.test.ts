import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser, waitForMapDrawn } from '../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientLayers, startTestServer, type TestServer } from '../support/app-server.js';
import { toWebMercator } from '../support/web-mercator.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];

let server: TestServer;
let launched: TestBrowser;
let browser: BrowserContext;

beforeAll(async () => {
  server = await startTestServer();

  launched = await launchBrowser({ width: 1280, height: 800 });
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await server?.close();
});

/** Opens the map in a new tab and waits until the kecamatan layer has drawn features. */
async function openMap(): Promise<{ page: Page; pageErrors: Error[] }> {
  const page = await browser.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));

  await page.goto(server.baseUrl);
  await waitForLayerDrawn(page, 'kecamatan');
  return { page, pageErrors };
}

async function waitForLayerDrawn(page: Page, layerId: string) {
  const timeoutMs = 20000;
  const drawn = (id: string) => document.body.dataset.layersRendered?.split(',').includes(id);

  await page.waitForFunction(drawn, layerId, { timeout: timeoutMs }).catch(async () => {
    const view = await page.evaluate(() => ({
      drawn: document.body.dataset.layersRendered,
      zoom: window.__simpulMap?.getView().getZoom(),
    }));
    throw new Error(
      `${layerId} drew no tile within ${timeoutMs} ms; layers drawn: ` +
        `"${view.drawn ?? ''}", view zoom ${view.zoom?.toFixed(1)}`,
    );
  });
}

/** Clicks the map with the real mouse at a longitude and latitude. */
async function clickMapAt(page: Page, lonLat: [number, number]) {
  const coordinate = toWebMercator(lonLat);
  const pixel = await page.evaluate(
    (at) => window.__simpulMap?.getPixelFromCoordinate(at),
    coordinate,
  );
  if (!pixel) throw new Error('the map has no pixel for the coordinate');

  const [x, y] = pixel as [number, number];
  await page.locator('#map').click({ position: { x, y } });
}

/**
 * Leaves only `layerIds` checked in the layer tree, so a click meets only their features, and
 * waits for the map drawn so: a click before that found no feature of the layers left on.
 */
async function showOnlyLayers(page: Page, layerIds: string[]) {
  const checkboxes = page.locator('#layer-tree input[data-layer-id]');
  for (const checkbox of await checkboxes.all()) {
    const layerId = await checkbox.getAttribute('data-layer-id');
    await checkbox.setChecked(layerIds.includes(layerId ?? ''));
  }
  await waitForMapDrawn(page);
}

/** Where the regency's bounding box, the map and the open panel lie in the page (CSS px). */
async function regencyBesidePanel(page: Page) {
  const config = (await (await fetch(`${server.baseUrl}/client/config`)).json()) as {
    regency: { bbox: [number, number, number, number] };
  };
  const [west, south, east, north] = config.regency.bbox;
  const corners = [toWebMercator([west, north]), toWebMercator([east, south])] as const;

  return page.evaluate(([northWest, southEast]) => {
    const map = window.__simpulMap!;
    const mapBox = map.getTargetElement()!.getBoundingClientRect();
    const [left, top] = map.getPixelFromCoordinate(northWest) as [number, number];
    const [right, bottom] = map.getPixelFromCoordinate(southEast) as [number, number];
    const panel = document.querySelector('#panel')!.getBoundingClientRect();
    const regency = { top: mapBox.top + top, bottom: mapBox.top + bottom, width: right - left };
    return { regency, mapTop: mapBox.top, panelTop: panel.top };
  }, corners);
}

describe('web map', () => {
  it('frames the regency and draws the kecamatan layer from vector tiles', async () => {
    const { page, pageErrors } = await openMap();

    const zoom = await page.evaluate(() => window.__simpulMap?.getView().getZoom());
    const title = await page.title();

    expect(zoom).toBeGreaterThan(8);
    expect(title).toBe('Simpul · Kabupaten Cilacap');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('shows a clicked kecamatan with its attributes from the feature API', async () => {
    const { page } = await openMap();
    await showOnlyLayers(page, ['kecamatan']);

    await clickMapAt(page, kroyaInnerPoint);
    const popup = page.locator('#identify-popup');
    await popup.locator('.identify__attributes').waitFor({ timeout: 10000 });

    await expect.poll(() => popup.isVisible()).toBe(true);
    expect(await popup.locator('.identify__title').textContent()).toBe('Kroya');
    const codeRow = popup.locator('tr', { hasText: 'Kode Kemendagri' });
    expect(await codeRow.locator('td').textContent()).toBe('33.01.06');
    await page.close();
  });

  it('pages from the topmost feature under a click to the ones below it', async () => {
    const { page, popup } = await clickKroyaWithItsDesa();
    const firstLayer = await popup.locator('.identify__layer').textContent();
    await popup.getByRole('button', { name: 'Objek berikutnya di titik ini' }).click();

    expect(firstLayer).toBe('Kecamatan');
    expect(await popup.locator('.identify__position').textContent()).toBe('2/2');
    expect(await popup.locator('.identify__layer').textContent()).toBe('Desa/Kelurahan');
    await page.close();
  });

  it('titles the popup with the count of features clicked, in both languages', async () => {
    const { page, popup } = await clickKroyaWithItsDesa();
    const indonesian = await popup.locator('.identify__count').allTextContents();
    await page.locator('#lang-toggle').click();
    const english = await popup.locator('.identify__count').allTextContents();
    await page.locator('#lang-toggle').click();
    await popup.getByRole('button', { name: 'Tutup' }).click();
    await showOnlyLayers(page, ['kecamatan']);
    await clickMapAt(page, kroyaInnerPoint);
    await popup.locator('.identify__attributes').waitFor({ timeout: 10000 });

    expect(indonesian).toEqual(['2 objek di titik ini']);
    expect(english).toEqual(['2 features at this place']);
    expect(await popup.locator('.identify__title').textContent()).toBe('Kroya');
    expect(await popup.locator('.identify__count').count()).toBe(0);
    await page.close();
  });

  it('keeps the popup of a feature under the zoom buttons clear of them (phone)', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await waitForLayerDrawn(page, 'kecamatan');
    // Kroya's inner point under the zoom buttons, where a tap beside them would land
    await page.evaluate((at) => {
      const map = window.__simpulMap!;
      map.getView().setZoom(12);
      map.getView().centerOn(at, map.getSize()!, [24, 120]);
    }, toWebMercator(kroyaInnerPoint));
    await page.evaluate(
      () => new Promise((resolve) => window.__simpulMap!.once('rendercomplete', resolve)),
    );

    await clickMapAt(page, kroyaInnerPoint);
    await page.locator('#identify-popup .identify__attributes').waitFor({ timeout: 10000 });
    await page.waitForFunction(() => !window.__simpulMap!.getView().getAnimating());
    // the popup takes its place in the frame drawn after the pan
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    const overlaps = await page.evaluate(() => {
      const popup = document.querySelector('#identify-popup')!.getBoundingClientRect();
      const controls = [...document.querySelectorAll<HTMLElement>('#map .ol-control')];
      return controls
        .filter((control) => {
          const box = control.getBoundingClientRect();
          const apart = box.right <= popup.left || box.left >= popup.right;
          return !apart && box.bottom > popup.top && box.top < popup.bottom;
        })
        .map((control) => control.className);
    });
    const popup = (await page.locator('#identify-popup').boundingBox())!;

    expect(overlaps).toEqual([]);
    expect(popup.x + popup.width).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('frames the regency above the open panel on a phone, at first and from home', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await waitForLayerDrawn(page, 'kecamatan');
    await page.locator('#panel-toggle').click();
    const atFirst = await regencyBesidePanel(page);
    await page.evaluate((at) => {
      window.__simpulMap!.getView().setCenter(at);
      window.__simpulMap!.getView().setZoom(11);
    }, toWebMercator(kroyaInnerPoint));
    await page.locator('.ol-zoom-extent button').click();
    const fromHome = await regencyBesidePanel(page);

    for (const framed of [atFirst, fromHome]) {
      expect(framed.regency.top).toBeGreaterThanOrEqual(framed.mapTop);
      expect(framed.regency.bottom).toBeLessThanOrEqual(framed.panelTop);
      expect(framed.regency.width).toBeGreaterThan(300);
    }
    await page.close();
  });

  it('frames the regency clear of the buttons at the left edge of the map (phone)', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await waitForLayerDrawn(page, 'kecamatan');
    const config = (await (await fetch(`${server.baseUrl}/client/config`)).json()) as {
      regency: { bbox: [number, number, number, number] };
    };
    const [west, south, east, north] = config.regency.bbox;
    const corners = [toWebMercator([west, north]), toWebMercator([east, south])] as const;

    const controlsOverRegency = await page.evaluate(([northWest, southEast]) => {
      const map = window.__simpulMap!;
      const mapBox = map.getTargetElement()!.getBoundingClientRect();
      const [left, top] = map.getPixelFromCoordinate(northWest) as [number, number];
      const [right, bottom] = map.getPixelFromCoordinate(southEast) as [number, number];
      return [...document.querySelectorAll<HTMLElement>('#map .ol-zoom, #map .ol-zoom-extent')]
        .filter((control) => {
          const box = control.getBoundingClientRect();
          const apart = box.right <= mapBox.left + left || box.left >= mapBox.left + right;
          return !apart && box.bottom > mapBox.top + top && box.top < mapBox.top + bottom;
        })
        .map((control) => control.className);
    }, corners);

    expect(controlsOverRegency).toEqual([]);
    await page.close();
  });

  it('hides a layer when its box in the layer tree is cleared', async () => {
    const { page } = await openMap();

    await page.locator('input[data-layer-id="kecamatan"]').uncheck();

    const visible = await page.evaluate(() =>
      window.__simpulMap
        ?.getAllLayers()
        .find((layer) => layer.get('layerDefinition')?.id === 'kecamatan')
        ?.getVisible(),
    );
    expect(visible).toBe(false);
    expect(await page.locator('#legend [data-layer-id="kecamatan"]').count()).toBe(0);
    await page.close();
  });

  it('marks exactly the layers of invented sample data in the layer tree', async () => {
    const { page } = await openMap();
    const layers = await clientLayers(server);

    const badged = await page
      .locator('#layer-tree label:has(.layer-tree__sample)')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.layerId));

    const sampleLayerIds = layers.filter((l) => l.metadata.sample).map((l) => l.id);
    expect(badged.sort()).toEqual(sampleLayerIds.sort());
    await page.close();
  });

  it('switches the interface to English, remembers it, and switches back', async () => {
    const { page } = await openMap();
    const kecamatanCheckbox = page.locator('input[data-layer-id="kecamatan"]');
    const kecamatanRow = page.locator('label', { has: kecamatanCheckbox });
    expect(await kecamatanRow.textContent()).toBe('Kecamatan');

    await page.locator('#lang-toggle').click();
    expect(await kecamatanRow.textContent()).toBe('Kecamatan (district)');
    expect(await page.locator('h2[data-i18n="panel.layers"]').textContent()).toBe('Layers');
    const attribution = page.locator('.ol-attribution button');
    expect(await attribution.getAttribute('title')).toBe('Data and map sources');

    await page.reload();
    await waitForLayerDrawn(page, 'kecamatan');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.locator('#lang-toggle').click();
    expect(await kecamatanRow.textContent()).toBe('Kecamatan');
    await page.close();
  });
});

/** Opens the map on Kroya, kecamatan and desa shown, clicks where both lie, awaits the popup. */
async function clickKroyaWithItsDesa() {
  const { page } = await openMap();
  await showOnlyLayers(page, ['kecamatan', 'desa']);
  await page.evaluate((center) => {
    window.__simpulMap?.getView().setCenter(center);
    window.__simpulMap?.getView().setZoom(12);
  }, toWebMercator(kroyaInnerPoint));
  await waitForLayerDrawn(page, 'desa');
  await clickMapAt(page, kroyaInnerPoint);
  const popup = page.locator('#identify-popup');
  await popup.locator('.identify__attributes').waitFor({ timeout: 10000 });
  return { page, popup };
}
