import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';

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

/** The bbox of one feature in EPSG:4326, read from the feature API. */
async function bboxOf(layerId: string, code: string): Promise<[number, number, number, number]> {
  const url = `${server.baseUrl}/collections/${layerId}/items?code=${encodeURIComponent(code)}`;
  const body = (await (await fetch(url)).json()) as {
    features: { geometry: { coordinates: number[][][][] } }[];
  };
  const positions = body.features[0]!.geometry.coordinates.flat(2);
  const lons = positions.map(([lon]) => lon!);
  const lats = positions.map(([, lat]) => lat!);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

async function openMap(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
  return page;
}

async function search(page: Page, text: string) {
  await page.locator('.search__input').fill(text);
  // done once the status shows neither nothing nor "searching"
  await page.waitForFunction(
    () => {
      const status = document.querySelector('.search__status')?.textContent ?? '';
      return !['', 'Mencari…'].includes(status);
    },
    null,
    { timeout: 15000 },
  );
}

/** The map view's centre in longitude and latitude once its animation has ended. */
async function viewCentre(page: Page): Promise<[number, number]> {
  await page.waitForFunction(() => !window.__simpulMap!.getView().getAnimating());
  return page.evaluate(() => {
    const [x, y] = window.__simpulMap!.getView().getCenter()!;
    const radius = 6378137;
    const lon = (x! / radius) * (180 / Math.PI);
    const lat = (2 * Math.atan(Math.exp(y! / radius)) - Math.PI / 2) * (180 / Math.PI);
    return [lon, lat] as [number, number];
  });
}

describe('search by name or code', () => {
  it('finds a kecamatan and its desa by part of the name, and frames the desa chosen', async () => {
    const page = await openMap();
    const [west, south, east, north] = await bboxOf('desa', '33.01.06.2005');

    await search(page, 'kroy');
    const results = page.locator('.search__result');
    const listed = await results.evaluateAll((buttons) =>
      buttons.map((b) => `${b.querySelector('.search__name')?.textContent} ${b.dataset.layerId}`),
    );
    await results.filter({ hasText: '33.01.06.2005' }).click();
    const [lon, lat] = await viewCentre(page);

    expect(listed).toEqual(expect.arrayContaining(['Kroya kecamatan', 'Kroya desa']));
    expect(lon).toBeGreaterThan(west);
    expect(lon).toBeLessThan(east);
    expect(lat).toBeGreaterThan(south);
    expect(lat).toBeLessThan(north);
    expect(await page.evaluate(() => window.__simpulMap!.getView().getZoom())).toBeGreaterThan(12);
    await page.close();
  });

  it('puts the kecamatan whose Kemendagri code is typed first', async () => {
    const page = await openMap();

    await search(page, '33.01.06');

    const first = page.locator('.search__result').first();
    expect(await first.locator('.search__name').textContent()).toBe('Kroya');
    expect(await first.getAttribute('data-layer-id')).toBe('kecamatan');
    await page.close();
  });

  it('says that nothing matches, in Indonesian and then in English', async () => {
    const page = await openMap();

    await search(page, 'zzqx%_');
    const indonesian = await page.locator('.search__status').textContent();
    await page.locator('#lang-toggle').click();
    const english = await page.locator('.search__status').textContent();

    expect(indonesian).toBe('Tidak ada yang cocok dengan “zzqx%_”.');
    expect(english).toBe('Nothing matches “zzqx%_”.');
    expect(await page.locator('.search__input').inputValue()).toBe('zzqx%_');
    await page.close();
  });

  it('keeps the no-match message of a very long text inside the panel on a phone', async () => {
    const page = await openMap({ width: 390, height: 844 });
    await page.locator('#panel-toggle').click();

    await search(page, 'x'.repeat(3000));
    const status = (await page.locator('.search__status').textContent()) ?? '';
    const panel = await page.locator('#panel').evaluate((node) => ({
      scrollWidth: node.scrollWidth,
      clientWidth: node.clientWidth,
    }));

    expect(status).toBe(`Tidak ada yang cocok dengan “${'x'.repeat(40)}…”.`);
    expect(panel.scrollWidth).toBe(panel.clientWidth);
    await page.close();
  });

  it('counts a single result in the singular in English', async () => {
    const page = await openMap();

    await search(page, '33.01.06.2005');
    const indonesian = await page.locator('.search__status').textContent();
    await page.locator('#lang-toggle').click();
    const english = await page.locator('.search__status').textContent();

    expect(await page.locator('.search__result').count()).toBe(1);
    expect(indonesian).toBe('1 hasil; pilih untuk melihatnya di peta.');
    expect(english).toBe('1 result; choose it to see it on the map.');
    await page.close();
  });

  it('frames a found kecamatan above the panel on a phone', async () => {
    const page = await openMap({ width: 390, height: 844 });
    await page.locator('#panel-toggle').click();

    await search(page, 'Kroya');
    await page.locator('.search__result[data-layer-id="kecamatan"]').first().click();
    await viewCentre(page);
    const [west, south, east, north] = await bboxOf('kecamatan', '33.01.06');
    const corners = await page.evaluate(
      (box) => {
        const radius = 6378137;
        const toPixel = ([lon, lat]: number[]) =>
          window.__simpulMap!.getPixelFromCoordinate([
            (lon! * Math.PI * radius) / 180,
            radius * Math.log(Math.tan(Math.PI / 4 + (lat! * Math.PI) / 360)),
          ]);
        const [boxWest, boxSouth, boxEast, boxNorth] = box;
        return [toPixel([boxWest, boxNorth]), toPixel([boxEast, boxSouth])];
      },
      [west, south, east, north] as const,
    );
    const panelTop = (await page.locator('#panel').boundingBox())!.y;
    const mapTop = (await page.locator('#map').boundingBox())!.y;

    expect(corners[1]![1]! + mapTop).toBeLessThanOrEqual(panelTop);
    expect(corners[0]![1]!).toBeGreaterThanOrEqual(0);
    await page.close();
  });
});
