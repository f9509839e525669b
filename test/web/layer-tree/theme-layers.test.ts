import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser, waitForMapDrawn } from '../../support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planZone } from '../../../layers/spatial-plan/plan-zone.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** A point well inside kecamatan Kroya, in the irrigated southern plain. */
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

/** Opens the map centred on Kroya at zoom 13 with only `layerIds` checked. */
async function openMapWith(layerIds: string[]): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.baseUrl);
  await page.locator('#layer-tree input[data-layer-id]').first().waitFor();
  for (const checkbox of await page.locator('#layer-tree input[data-layer-id]').all()) {
    const layerId = (await checkbox.getAttribute('data-layer-id')) ?? '';
    await checkbox.setChecked(layerIds.includes(layerId));
  }
  await page.evaluate((center) => {
    window.__simpulMap?.getView().setCenter(center);
    window.__simpulMap?.getView().setZoom(13);
  }, toWebMercator(kroyaInnerPoint));
  for (const layerId of layerIds) {
    const drawn = (id: string) => document.body.dataset.layersRendered?.split(',').includes(id);
    await page.waitForFunction(drawn, layerId, { timeout: 20000 });
  }
  // a layer drawn before the view moved: its tiles of this view may still be loading
  await waitForMapDrawn(page);
  return page;
}

describe('the theme layers on the web map', () => {
  it('shows the road condition legend when the road segments are switched on', async () => {
    const page = await openMapWith(['road_segment']);

    const legend = page.locator('#legend [data-layer-id="road_segment"]');

    expect(await legend.locator('h3').textContent()).toBe('Ruas jalan');
    expect(await legend.locator('li').allTextContents()).toEqual(
      expect.arrayContaining(['Baik', 'Sedang', 'Rusak ringan', 'Rusak berat']),
    );
    await page.close();
  });

  it('fades a layer with its opacity slider', async () => {
    const page = await openMapWith(['plan_zone']);

    await page.locator('input[data-opacity-layer-id="plan_zone"]').fill('40');

    const opacity = await page.evaluate(() =>
      window.__simpulMap
        ?.getAllLayers()
        .find((layer) => layer.get('layerDefinition')?.id === 'plan_zone')
        ?.getOpacity(),
    );
    expect(opacity).toBeCloseTo(0.4);
    await page.close();
  });

  it('draws one hazard type at a time, chosen in the layer tree and named in the legend', async () => {
    const page = await openMapWith(['hazard_zone']);
    const legendTitle = page.locator('#legend [data-layer-id="hazard_zone"] h3');
    const drawnHazardTypes = () =>
      page.evaluate(() => {
        const map = window.__simpulMap!;
        const layer = map
          .getAllLayers()
          .find((candidate) => candidate.get('layerDefinition')?.id === 'hazard_zone') as
          import('ol/layer/VectorTile.js').default | undefined;
        const style = layer!.getStyleFunction()!;
        const resolution = map.getView().getResolution()!;
        const features = layer!.getFeaturesInExtent(map.getView().calculateExtent());
        const drawn = features.filter((feature) => style(feature, resolution) !== undefined);
        return [...new Set(drawn.map((feature) => feature.get('hazard_type')))];
      });

    const firstTitle = await legendTitle.textContent();
    const firstTypes = await drawnHazardTypes();
    await page.locator('select[data-shown-layer-id="hazard_zone"]').selectOption('tsunami');

    expect(firstTitle).toBe('Kawasan rawan bencana (bahaya): Banjir');
    expect(firstTypes).toEqual(['banjir']);
    expect(await legendTitle.textContent()).toBe('Kawasan rawan bencana (bahaya): Tsunami');
    expect(await drawnHazardTypes()).toEqual(['tsunami']);
    await page.close();
  });

  it('names the zone of a clicked plan zone by its label and says it is sample data', async () => {
    const zone = await server.testDatabase.database.pool.query(
      `SELECT zone_code FROM plan_zone
       WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1`,
      kroyaInnerPoint,
    );
    const zoneCode = zone.rows[0].zone_code as string;
    const label = planZone.attributes
      .find((a) => a.name === 'zone_code')!
      .domain!.find((v) => v.code === zoneCode)!.labelId;
    const page = await openMapWith(['plan_zone']);

    const pixel = await page.evaluate(
      (at) => window.__simpulMap?.getPixelFromCoordinate(at),
      toWebMercator(kroyaInnerPoint),
    );
    await page.locator('#map').click({ position: { x: pixel![0]!, y: pixel![1]! } });
    const popup = page.locator('#identify-popup');
    await popup.locator('.identify__attributes').waitFor({ timeout: 10000 });

    const zoneRow = popup.locator('tr', { hasText: 'Kode kawasan' });
    expect(await zoneRow.locator('td').textContent()).toBe(label);
    expect(await popup.locator('.identify__sample').isVisible()).toBe(true);
    await page.close();
  });
});
