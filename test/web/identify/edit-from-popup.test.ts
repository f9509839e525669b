import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import type { LayerDefinition } from '../../../layers/types.js';
import { createApiToken, createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';
import { validValue } from '../../support/valid-feature.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** Two line layers of two departments: the engineer's own, and the other department's. */
const ownLayer = layerDefinitions.find(
  (l) => l.theme === 'irrigation' && l.geometry.type === 'MultiLineString',
)!;
const otherLayer = layerDefinitions.find(
  (l) => l.theme === 'roads' && l.geometry.type === 'MultiLineString',
)!;
const password = 'insinyur-psda-2025';

/** Short lines of the test's own, east-west, 200 m apart, in Cilacap city. */
const ownLine: [number, number][] = [
  [109.02, -7.71],
  [109.022, -7.71],
];
const otherLine: [number, number][] = [
  [109.02, -7.712],
  [109.022, -7.712],
];

let server: TestServer;
let browser: TestBrowser;
let token: string;
let ownId: number;

async function createLine(layer: LayerDefinition, coordinates: [number, number][]) {
  const properties: Record<string, unknown> = {};
  for (const attribute of layer.attributes) {
    if (attribute.required && !attribute.computed)
      properties[attribute.name] = validValue(attribute);
  }
  const response = await fetch(`${server.baseUrl}/collections/${layer.id}/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' },
    body: JSON.stringify({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates },
      properties,
    }),
  });
  const body = (await response.json()) as { id: number };
  if (!response.ok) throw new Error(`${layer.id} not created: ${JSON.stringify(body)}`);
  return body.id;
}

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'psda', password, roles: [`${ownLayer.theme}:editor`] });
  token = (await createApiToken(pool, { name: 'seed', roles: ['admin'], write: true }, 't')).secret;
  ownId = await createLine(ownLayer, ownLine);
  await createLine(otherLayer, otherLine);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Logs in and shows only the two layers, around the lines at zoom 17; on a phone with the
 * panel open over the map's lower part, the lines are shown above it.
 */
async function openMapLoggedIn(viewport = { width: 1280, height: 800 }): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap));
  const onPhone = viewport.width < 720;
  if (onPhone) await page.locator('#panel-toggle').click();
  await logInThroughDialog(page, 'psda', password);

  for (const checkbox of await page.locator('#layer-tree input[data-layer-id]').all()) {
    const layerId = await checkbox.getAttribute('data-layer-id');
    await checkbox.setChecked([ownLayer.id, otherLayer.id].includes(layerId ?? ''));
  }
  await page.evaluate(
    (centre) => {
      window.__simpulMap!.getView().setCenter(centre);
      window.__simpulMap!.getView().setZoom(17);
    },
    toWebMercator([109.021, onPhone ? -7.7135 : -7.711]),
  );
  // the map takes its final size a frame after the panel settles: pixels are read after that
  await page.evaluate(
    () => new Promise((resolve) => window.__simpulMap!.once('rendercomplete', resolve)),
  );
  return page;
}

/** Clicks the middle of a line once its tile at this zoom is drawn and can be hit. */
async function clickLine(page: Page, layerId: string, line: [number, number][]) {
  const middle: [number, number] = [(line[0]![0] + line[1]![0]) / 2, line[0]![1]];
  const pixel = (await page.evaluate(
    (at) => window.__simpulMap!.getPixelFromCoordinate(at),
    toWebMercator(middle),
  )) as [number, number];
  await page.waitForFunction(
    ({ at, id }) =>
      window.__simpulMap!.getFeaturesAtPixel(at, {
        hitTolerance: 2,
        layerFilter: (layer) => layer.get('layerDefinition')?.id === id,
      }).length > 0,
    { at: pixel, id: layerId },
    { timeout: 20000 },
  );
  const box = (await page.locator('#map').boundingBox())!;
  await page.mouse.click(box.x + pixel[0], box.y + pixel[1]);
  await page.locator('#identify-popup .identify__attributes').waitFor({ timeout: 10000 });
}

describe('editing from the identify popup', () => {
  it("tells an engineer another department's layer is not theirs, and who edits it", async () => {
    const page = await openMapLoggedIn();

    await clickLine(page, otherLayer.id, otherLine);

    const note = page.locator('#identify-popup .identify__read-only');
    expect(await note.textContent()).toBe(
      'Akun Anda hanya dapat melihat lapisan ini; menyuntingnya perlu salah satu peran: ' +
        `${otherLayer.access.edit.join(', ')}.`,
    );
    expect(await page.locator('#identify-popup .identify__edit').count()).toBe(0);
    await page.close();
  });

  it("opens the engineer's own feature in the editor from its popup", async () => {
    const page = await openMapLoggedIn();

    await clickLine(page, ownLayer.id, ownLine);
    await page.locator('#identify-popup .identify__edit').click();
    await page.locator('.edit-form').waitFor({ timeout: 10000 });

    expect(await page.locator('#edit-layer').inputValue()).toBe(ownLayer.id);
    expect(await page.locator('.edit-form-slot h3').textContent()).toContain(String(ownId));
    expect(await page.locator('#identify-popup').isHidden()).toBe(true);
    await page.close();
  });

  it('saves a change made to a feature opened from its popup', async () => {
    const page = await openMapLoggedIn();
    const field = ownLayer.attributes.find(
      (a) => a.type === 'text' && !a.domain && !a.computed && !a.unique,
    )!;

    await clickLine(page, ownLayer.id, ownLine);
    await page.locator('#identify-popup .identify__edit').click();
    const input = page.locator(`.edit-form [data-field="${field.name}"] input`);
    await input.fill('Diubah dari popup');
    await input.dispatchEvent('change');
    await page.locator('.edit-actions [data-action=save]').click();

    await expect
      .poll(() => page.locator('.edit-status').textContent(), { timeout: 15000 })
      .toBe('Tersimpan.');
    const saved = await fetch(`${server.baseUrl}/collections/${ownLayer.id}/items/${ownId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await saved.json()) as { properties: Record<string, unknown> };
    expect(body.properties[field.name]).toBe('Diubah dari popup');
    await page.close();
  }, 60000);

  it('opens a feature from its popup on a phone while the panel lies over the map', async () => {
    const page = await openMapLoggedIn({ width: 390, height: 844 });

    await clickLine(page, ownLayer.id, ownLine);
    await page.locator('#identify-popup .identify__edit').click({ timeout: 5000 });
    await page.locator('.edit-form').waitFor({ timeout: 10000 });

    expect(await page.locator('.edit-form-slot h3').textContent()).toContain(String(ownId));
    await page.close();
  }, 60000);
});
