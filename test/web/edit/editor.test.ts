import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  launchBrowser,
  openEditorAs,
  pagePointOf,
  waitForMapDrawn,
  type TestBrowser,
} from '../../support/browser.js';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, recordTables } from '../../../layers/index.js';
import { createApiToken, createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validValue } from '../../support/valid-feature.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** The line layer engineers edit (road segments where declared). */
const layer = layerDefinitions.find((l) => l.geometry.type === 'MultiLineString')!;
const password = 'insinyur-jalan-2025';

/** An existing segment whose end vertex the drawn one must snap to. */
const existingStart: [number, number] = [109.0, -7.7];
const existingEnd: [number, number] = [109.004, -7.704];

let server: TestServer;
let launched: TestBrowser;
let browser: BrowserContext;
let token: string;
let existingId: number;

function requiredProperties() {
  const properties: Record<string, unknown> = {};
  for (const attribute of layer.attributes) {
    if (attribute.required && !attribute.computed)
      properties[attribute.name] = validValue(attribute);
  }
  return properties;
}

async function api(method: string, url: string, body?: unknown, etag?: string) {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/geo+json',
      ...(etag ? { 'if-match': etag } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // a delete answers 204 without a body
  const text = await response.text();
  return { response, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  const configFile = path.resolve(import.meta.dirname, '../../../web/vite.config.ts');
  await build({ configFile, logLevel: 'warn' });
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  const role = `${layer.theme}:editor`;
  await createUser(pool, { name: 'insinyur', password, roles: [role] });
  token = (await createApiToken(pool, { name: 'other-system', roles: [role], write: true }, 't'))
    .secret;
  const existing = await api('POST', `/collections/${layer.id}/items`, {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: [existingStart, existingEnd] },
    properties: requiredProperties(),
  });
  existingId = existing.body.id;

  launched = await launchBrowser({ width: 1280, height: 800 });
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await server?.close();
});

async function openEditor(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const centre: [number, number] = [109.006, -7.705];
  const editing = { user: 'insinyur', password, layerId: layer.id, centre };
  const page = await openEditorAs(browser, server.baseUrl, editing, viewport);
  await page.waitForFunction(() => (window.__simpulEditor?.currentSession?.all().length ?? 0) > 0);
  return page;
}

/** Selects feature `id` of the editor's layer once the editor holds it, and waits for its ETag. */
async function selectInEditor(page: Page, id: number) {
  const key = `f${id}`;
  await page.waitForFunction((k) => !!window.__simpulEditor?.currentSession?.get(k), key);
  await page.evaluate((k) => window.__simpulEditor!.selectFeature(k), key);
  await page.waitForFunction((k) => !!window.__simpulEditor?.currentSession?.get(k)?.etag, key);
}

async function waitForSaved(page: Page) {
  await page
    .waitForFunction(
      () => document.querySelector('.edit-status')?.textContent === 'Tersimpan.',
      null,
      {
        timeout: 15000,
      },
    )
    .catch(async (error: Error) => {
      const state = await page.evaluate(() => ({
        status: document.querySelector('.edit-status')?.textContent,
        problems: [...document.querySelectorAll('.edit-field__problem, .edit-form__problem')]
          .map((n) => n.textContent)
          .filter(Boolean),
        pending: JSON.stringify(window.__simpulEditor?.currentSession?.pendingEdits()),
      }));
      throw new Error(`${error.message}; editor: ${JSON.stringify(state)}`);
    });
}

/** The coordinates (EPSG:3857) of each outline the search draws. */
async function searchOutlines(page: Page) {
  return page.evaluate(() => {
    const layers = window.__simpulMap!.getLayers().getArray();
    const found = layers.find((l) => l.get('id') === 'search-outline') as unknown as {
      getSource(): { getFeatures(): { getGeometry(): { getCoordinates(): unknown } }[] };
    };
    return found
      .getSource()
      .getFeatures()
      .map((f) => f.getGeometry().getCoordinates());
  });
}

/** Creates a segment with the given code along `line` as another system would. */
async function createSegment(
  code: string,
  line: [number, number][],
  more: Record<string, unknown> = {},
): Promise<number> {
  const created = await api('POST', `/collections/${layer.id}/items`, {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: line },
    properties: { ...requiredProperties(), ...more, segment_code: code },
  });
  expect(created.response.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

/** Changes a feature as another editor would: through the API, over its current ETag. */
async function changeAsAnotherEditor(id: number, method: 'PATCH' | 'DELETE', patch?: unknown) {
  const url = `/collections/${layer.id}/items/${id}`;
  const current = await api('GET', url);
  const changed = await api(method, url, patch, current.response.headers.get('etag')!);
  expect(changed.response.status, JSON.stringify(changed.body)).toBeLessThan(300);
}

/** Sets the pavement width of a feature in the editor and saves it. */
async function saveWidthOf(page: Page, id: number, widthM: number) {
  await selectInEditor(page, id);
  const width = page.locator('.edit-form [data-field="width_m"] input');
  await width.fill(String(widthM));
  await width.dispatchEvent('change');
  await page.locator('.edit-actions [data-action=save]').click();
  await waitForSaved(page);
}

/** Whether the layer's tiles draw feature `id` at a lon/lat (within a few pixels). */
async function tilesDrawAt(page: Page, id: number, lonLat: [number, number]) {
  return page.evaluate(
    ({ coordinate, featureId, layerId }) => {
      const map = window.__simpulMap!;
      const ids: unknown[] = [];
      map.forEachFeatureAtPixel(
        map.getPixelFromCoordinate(coordinate),
        (f) => {
          ids.push(f.getId());
        },
        {
          layerFilter: (l) => l.get('layerDefinition')?.id === layerId,
          hitTolerance: 3,
        },
      );
      return ids.includes(featureId);
    },
    { coordinate: toWebMercator(lonLat), featureId: id, layerId: layer.id },
  );
}

async function fillRequiredFields(page: Page) {
  for (const attribute of layer.attributes.filter((a) => a.required && !a.computed)) {
    const field = page.locator(`.edit-form [data-field="${attribute.name}"]`);
    if (attribute.domain) await field.locator('select').selectOption(attribute.domain[0]!.code);
    else await field.locator('input').fill(String(validValue(attribute)));
    await field.locator('input, select').dispatchEvent('change');
  }
}

describe('web editor', () => {
  it('logs in, draws a segment snapped to an existing one, fills the form, saves and shows it', async () => {
    const page = await openEditor();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));

    await page.locator('.edit-toolbar [data-action=draw]').click();
    const nearEnd = await pagePointOf(page, existingEnd);
    const middle = await pagePointOf(page, [109.007, -7.706]);
    const last = await pagePointOf(page, [109.01, -7.705]);
    await page.mouse.move(nearEnd.x + 4, nearEnd.y - 3);
    await page.mouse.click(nearEnd.x + 4, nearEnd.y - 3);
    await page.mouse.click(middle.x, middle.y);
    await page.mouse.dblclick(last.x, last.y);
    await page.locator('.edit-form').waitFor();
    await fillRequiredFields(page);
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);

    const { rows } = await server.testDatabase.database.pool.query(
      `SELECT id, ST_AsText(ST_StartPoint(ST_GeometryN(geom, 1))) AS start
       FROM ${layer.id} ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0].start).toBe(`POINT(${existingEnd[0]} ${existingEnd[1]})`);

    const shown = await page.waitForFunction(
      ({ id, coordinate, layerId }) => {
        const map = window.__simpulMap!;
        let found = false;
        map.forEachFeatureAtPixel(
          map.getPixelFromCoordinate(coordinate),
          (feature) => {
            found ||= feature.getId() === id;
          },
          { layerFilter: (l) => l.get('layerDefinition')?.id === layerId, hitTolerance: 5 },
        );
        return found;
      },
      { id: rows[0].id, coordinate: toWebMercator([109.007, -7.706]), layerId: layer.id },
      { timeout: 15000 },
    );
    expect(await shown.jsonValue()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90000);

  it('shows both versions when someone else saved first, and saves the merge', async () => {
    const page = await openEditor();
    const id = existingId;
    const textField = layer.attributes.find(
      (a) => a.type === 'text' && !a.domain && !a.computed && !a.unique && a.required,
    )!;

    const middle = await pagePointOf(page, [109.002, -7.702]);
    await page.mouse.click(middle.x, middle.y);
    await page
      .locator(`.edit-form [data-field="${textField.name}"] input`)
      .waitFor({ timeout: 10000 })
      .catch(async (error: Error) => {
        const state = await page.evaluate(() => ({
          status: document.querySelector('.edit-status')?.textContent,
          form: document.querySelector('.edit-form-slot')?.innerHTML.slice(0, 300),
          keys: window.__simpulEditor?.currentSession?.all().map((f) => f.key),
          zoom: window.__simpulMap?.getView().getZoom(),
        }));
        throw new Error(`${error.message}; ${JSON.stringify(state)}`);
      });
    await page.waitForTimeout(300);
    const input = page.locator(`.edit-form [data-field="${textField.name}"] input`);
    await input.fill('Saya');
    await input.dispatchEvent('change');

    const current = await fetch(`${server.baseUrl}/collections/${layer.id}/items/${id}`);
    const theirs = await api(
      'PATCH',
      `/collections/${layer.id}/items/${id}`,
      { properties: { [textField.name]: 'Mereka' } },
      current.headers.get('etag')!,
    );
    expect(theirs.response.status, JSON.stringify(theirs.body)).toBe(200);

    await page.locator('.edit-actions [data-action=save]').click();
    await page
      .locator('.conflict-dialog')
      .waitFor({ timeout: 10000 })
      .catch(async (error: Error) => {
        const status = await page.locator('.edit-status').textContent();
        throw new Error(`${error.message}; status: ${status}`);
      });
    const dialogText = await page.locator('.conflict-dialog').textContent();
    await page.locator('.conflict-dialog [data-action=merge]').click();
    await waitForSaved(page);

    const saved = await fetch(`${server.baseUrl}/collections/${layer.id}/items/${id}`);
    const body = await saved.json();
    expect(dialogText).toContain('Saya');
    expect(dialogText).toContain('Mereka');
    expect(body.properties[textField.name]).toBe('Saya');
    expect(saved.headers.get('etag')).toBe(`"${id}-3"`);
    await page.close();
  }, 90000);

  it('keeps what only another editor changed when the user keeps their own version', async () => {
    const created = await api('POST', `/collections/${layer.id}/items`, {
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [109.0085, -7.7075],
          [109.0105, -7.7075],
        ],
      },
      properties: { ...requiredProperties(), surface: 'aspal', width_m: 6 },
    });
    const id = created.body.id as number;
    const page = await openEditor();
    await selectInEditor(page, id);

    const current = await api('GET', `/collections/${layer.id}/items/${id}`);
    const theirs = await api(
      'PATCH',
      `/collections/${layer.id}/items/${id}`,
      { properties: { surface: 'beton', width_m: 10.5 } },
      current.response.headers.get('etag')!,
    );
    expect(theirs.response.status, JSON.stringify(theirs.body)).toBe(200);
    const width = page.locator('.edit-form [data-field="width_m"] input');
    await width.fill('7');
    await width.dispatchEvent('change');
    await page.locator('.edit-actions [data-action=save]').click();
    await page.locator('.conflict-dialog').waitFor({ timeout: 10000 });
    const choices = await page
      .locator('.conflict-dialog input[type=radio]')
      .evaluateAll((radios) => [...new Set(radios.map((r) => (r as HTMLInputElement).name))]);
    const surfaceRow = await page
      .locator('.conflict-dialog tr', { hasText: 'Jenis perkerasan' })
      .innerText();
    await page.locator('.conflict-dialog [data-action=keepMine]').click();
    await waitForSaved(page);

    const saved = await api('GET', `/collections/${layer.id}/items/${id}`);
    expect(saved.body.properties).toMatchObject({ surface: 'beton', width_m: 7 });
    expect(choices).toEqual(['conflict-width_m']);
    expect(surfaceRow).toContain('Beton');
    expect(surfaceRow).toContain('diubah orang lain');
    await page.close();
  }, 90000);

  it('redraws the search outline of a road with the geometry just saved', async () => {
    const code = 'N.910.4';
    const start: [number, number] = [109.004, -7.712];
    const end: [number, number] = [109.008, -7.712];
    const created = await api('POST', `/collections/${layer.id}/items`, {
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: [start, end] },
      properties: { ...requiredProperties(), segment_code: code },
    });
    const id = created.body.id as number;
    const page = await openEditor();
    const outline = () => searchOutlines(page);

    await page.locator('.search__input').fill(code);
    await page.locator('.search__result', { hasText: code }).click();
    await page.waitForFunction(() => !window.__simpulMap!.getView().getAnimating());
    await selectInEditor(page, id);
    const before = await outline();
    const from = await pagePointOf(page, end);
    const to = await pagePointOf(page, [109.008, -7.714]);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__simpulEditor?.currentSession?.hasChanges);
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);

    const saved = await api('GET', `/collections/${layer.id}/items/${id}`);
    const savedMercator = (saved.body.geometry.coordinates as [number, number][][]).map((part) =>
      part.map((position) => toWebMercator(position)),
    );
    const after = (await outline()) as number[][][][];
    expect(before).toHaveLength(1);
    expect(saved.body.geometry.coordinates[0][1][1]).toBeCloseTo(-7.714, 3);
    expect(after).toHaveLength(1);
    expect(after[0]!.flat(2).length).toBe(savedMercator.flat(2).length);
    after[0]!
      .flat(2)
      .forEach((value, i) => expect(value).toBeCloseTo(savedMercator.flat(2)[i]!, 0));

    await page.locator('.edit-toolbar [data-action=delete]').click();
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);
    expect(await outline()).toEqual([]);
    await page.close();
  }, 90000);

  it('outlines a found road as another editor left it, once the layer reloads', async () => {
    const found = await createSegment('N.910.5', [
      [109.004, -7.716],
      [109.008, -7.716],
    ]);
    const neighbour = await createSegment('N.910.6', [
      [109.004, -7.718],
      [109.008, -7.718],
    ]);
    const page = await openEditor();
    await page.locator('.search__input').fill('N.910.5');
    await page.locator('.search__result', { hasText: 'N.910.5' }).click();
    await page.waitForFunction(() => !window.__simpulMap!.getView().getAnimating());
    const reshaped: [number, number][] = [
      [109.004, -7.716],
      [109.006, -7.7175],
      [109.008, -7.716],
    ];

    await changeAsAnotherEditor(found, 'PATCH', {
      geometry: { type: 'LineString', coordinates: reshaped },
    });
    await saveWidthOf(page, neighbour, 6.5);

    await expect
      .poll(async () => ((await searchOutlines(page)) as number[][][][])[0]?.[0]?.length)
      .toBe(3);
    const [outline] = (await searchOutlines(page)) as [number, number][][][];
    outline![0]!.forEach((position, i) => {
      const expected = toWebMercator(reshaped[i]!);
      expect(position[0]).toBeCloseTo(expected[0], 0);
      expect(position[1]).toBeCloseTo(expected[1], 0);
    });

    await changeAsAnotherEditor(found, 'DELETE');
    await saveWidthOf(page, neighbour, 7);

    await expect.poll(() => searchOutlines(page)).toEqual([]);
    expect(await page.locator('.search__result', { hasText: 'N.910.5' }).count()).toBe(0);
    await page.close();
  }, 90000);

  it("draws another editor's version on the map once taken in a conflict", async () => {
    const id = await createSegment('N.910.7', [
      [109.001, -7.7055],
      [109.0035, -7.7055],
    ]);
    const page = await openEditor();
    await selectInEditor(page, id);
    await expect.poll(() => tilesDrawAt(page, id, [109.00225, -7.7055])).toBe(true);
    const theirs: [number, number][] = [
      [109.001, -7.7055],
      [109.00225, -7.707],
      [109.0035, -7.7055],
    ];

    await changeAsAnotherEditor(id, 'PATCH', {
      geometry: { type: 'LineString', coordinates: theirs },
      properties: { width_m: 9 },
    });
    const width = page.locator('.edit-form [data-field="width_m"] input');
    await width.fill('5');
    await width.dispatchEvent('change');
    await page.locator('.edit-actions [data-action=save]').click();
    const geometryCell = page.locator('.conflict-dialog tr[data-field=geometry]');
    const geometryRow = await geometryCell.innerText();
    await page.locator('.conflict-dialog [data-action=takeTheirs]').click();

    await expect.poll(() => tilesDrawAt(page, id, [109.00225, -7.707])).toBe(true);
    expect(await tilesDrawAt(page, id, [109.00225, -7.7055])).toBe(false);
    expect(geometryRow).toMatch(/garis [\d,]+ m, 2 titik\s+garis [\d,]+ m, 3 titik/);
    await page.close();
  }, 90000);

  it('drops a change to a road another editor deleted meanwhile, and says so', async () => {
    const id = await createSegment('N.910.8', [
      [109.001, -7.7075],
      [109.003, -7.7075],
    ]);
    const page = await openEditor();
    await selectInEditor(page, id);
    await expect.poll(() => tilesDrawAt(page, id, [109.002, -7.7075])).toBe(true);
    const width = page.locator('.edit-form [data-field="width_m"] input');
    await width.fill('5');
    await width.dispatchEvent('change');

    await changeAsAnotherEditor(id, 'DELETE');
    await page.locator('.edit-actions [data-action=save]').click();

    await expect
      .poll(() => page.locator('.edit-status').textContent())
      .toBe('Objek ini telah dihapus orang lain.');
    await expect.poll(() => tilesDrawAt(page, id, [109.002, -7.7075])).toBe(false);
    const pending = await page.evaluate(() => window.__simpulEditor!.currentSession!.hasChanges);
    const drawnForEditing = await page.evaluate(
      ({ coordinate, key }) => {
        const map = window.__simpulMap!;
        const pixel = map.getPixelFromCoordinate(coordinate);
        const keys = map.getFeaturesAtPixel(pixel, { hitTolerance: 3 }).map((f) => f.getId());
        return keys.includes(key);
      },
      { coordinate: toWebMercator([109.002, -7.7075]), key: `f${id}` },
    );
    expect(pending).toBe(false);
    expect(drawnForEditing).toBe(false);
    await page.close();
  }, 90000);

  it('keeps a change in conflict when the connection drops while reading theirs', async () => {
    const id = await createSegment('N.910.9', [
      [109.001, -7.7075],
      [109.003, -7.7075],
    ]);
    const page = await openEditor();
    await selectInEditor(page, id);
    const width = page.locator('.edit-form [data-field="width_m"] input');
    await width.fill('5');
    await width.dispatchEvent('change');
    await changeAsAnotherEditor(id, 'PATCH', { properties: { width_m: 9 } });

    await page.route(`**/collections/${layer.id}/items/${id}`, (route) =>
      route.abort('internetdisconnected'),
    );
    await page.locator('.edit-actions [data-action=save]').click();

    const offline =
      'Belum tersimpan: tidak tersambung ke server. ' +
      'Perubahan Anda masih ada; simpan lagi nanti.';
    await expect.poll(() => page.locator('.edit-status').textContent()).toBe(offline);
    const kept = await page.evaluate(
      (key) => window.__simpulEditor!.currentSession!.get(key)?.properties.width_m,
      `f${id}`,
    );
    expect(kept).toBe(5);
    await page.close();
  }, 90000);

  it('works on a phone: large touch targets, and a survey recorded in the field', async () => {
    const table = recordTables.find((t) => t.parent?.layerId === layer.id);
    const page = await openEditor({ width: 390, height: 844 });

    const heights = await page
      .locator('.edit-toolbar button')
      .evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    if (!table) return;

    // the panel lies over the lower half of a phone's map: close it, tap the feature, reopen
    await page.locator('#panel-toggle').click();
    await page.evaluate(
      (c) => window.__simpulMap!.getView().setCenter(c),
      toWebMercator([109.002, -7.702]),
    );
    await page.waitForTimeout(300);
    const point = await pagePointOf(page, [109.002, -7.702]);
    await page.mouse.click(point.x, point.y);
    await page.locator('#panel-toggle').click();
    const records = page.locator(`.edit-records[data-table="${table.id}"]`);
    await records.locator('button').first().click();
    for (const attribute of table.attributes.filter((a) => a.required && a.domain)) {
      await records
        .locator(`[data-field="${attribute.name}"] select`)
        .selectOption(attribute.domain![0]!.code);
    }
    await records.locator('[data-action=save-record]').click();

    // the seeded records are there from the start: wait for the one this engineer saved
    const savedByEngineer = async () => {
      const { rows } = await server.testDatabase.database.pool.query(
        `SELECT count(*)::int AS n FROM ${table.id} WHERE updated_by = 'insinyur'`,
      );
      return rows[0].n as number;
    };
    await expect.poll(savedByEngineer, { timeout: 15000 }).toBe(1);
    await page.close();
  }, 90000);

  it('splits a segment, restores the first half from its history and brings back a deleted half', async () => {
    const unique = layer.attributes.find((a) => a.unique && !a.computed);
    const created = await api('POST', `/collections/${layer.id}/items`, {
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [109.004, -7.708],
          [109.008, -7.708],
        ],
      },
      properties: requiredProperties(),
    });
    const id = created.body.id as number;
    const page = await openEditor();

    const onLine = await pagePointOf(page, [109.005, -7.708]);
    await page.mouse.click(onLine.x, onLine.y);
    await page.locator('.edit-form').waitFor();
    await page.waitForTimeout(300);
    await page.locator('.edit-toolbar [data-action=split]').click();
    const cut = await pagePointOf(page, [109.006, -7.708]);
    await page.mouse.click(cut.x, cut.y);
    await page.waitForFunction(
      () => window.__simpulEditor?.currentSession?.pendingEdits().length === 2,
    );
    if (unique) {
      const input = page.locator(`.edit-form [data-field="${unique.name}"] input`);
      await input.fill(String(validValue(unique)));
      await input.dispatchEvent('change');
    }
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);

    const halves = await server.testDatabase.database.pool.query(
      `SELECT id, round(ST_XMax(geom)::numeric, 4)::float AS east FROM ${layer.id}
       WHERE ST_Intersects(geom, ST_MakeEnvelope(109.0039, -7.7081, 109.0081, -7.7079, 4326))`,
    );
    expect(halves.rows.map((r) => r.east).sort()).toEqual([109.006, 109.008]);

    await page.mouse.click(onLine.x, onLine.y);
    await page.waitForTimeout(300);
    await page.locator('.edit-actions [data-action=history]').click();
    await page.locator('.history-dialog button', { hasText: 'versi 1' }).click();
    await page.waitForFunction(() =>
      document.querySelector('.edit-status')?.textContent?.includes('dipulihkan'),
    );

    const restored = await api('GET', `/collections/${layer.id}/items/${id}`);
    expect(restored.body.geometry.coordinates).toEqual([
      [
        [109.004, -7.708],
        [109.008, -7.708],
      ],
    ]);

    const secondHalf = halves.rows.find((r) => r.id !== id)!.id as number;
    await page.evaluate((key) => window.__simpulEditor?.selectFeature(key), `f${secondHalf}`);
    await page.locator('.edit-toolbar [data-action=delete]').click();
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);
    const gone = await api('GET', `/collections/${layer.id}/items/${secondHalf}`);
    await page.locator('.edit-actions [data-action=deleted]').click();
    await page
      .locator('.deleted-dialog li', { hasText: String(secondHalf) })
      .locator('button')
      .click();
    await page.waitForFunction(() =>
      document.querySelector('.edit-status')?.textContent?.includes('dipulihkan'),
    );
    const back = await api('GET', `/collections/${layer.id}/items/${secondHalf}`);

    expect(gone.response.status).toBe(404);
    expect(back.response.status).toBe(200);
    await page.close();
  }, 90000);

  it("asks for a split's new part's own unique code; the old part keeps its own", async () => {
    const unique = layer.attributes.find((a) => a.unique && !a.computed)!;
    const line: [number, number][] = [
      [109.02, -7.72],
      [109.024, -7.72],
    ];
    const id = await createSegment('SPLIT-OLD', line, { chainage_from_m: 0, chainage_to_m: 400 });
    const page = await openEditor();
    const start = toWebMercator(line[0]!);
    await page.evaluate((c) => window.__simpulMap!.getView().setCenter(c), start);
    await selectInEditor(page, id);

    await page.locator('.edit-toolbar [data-action=split]').click();
    const cut = await pagePointOf(page, [109.022, -7.72]);
    await page.mouse.click(cut.x, cut.y);
    await page.waitForFunction(
      () => window.__simpulEditor?.currentSession?.pendingEdits().length === 2,
    );
    const field = page.locator(`.edit-form [data-field="${unique.name}"]`);
    const shown = {
      value: await field.locator('input').inputValue(),
      invalid: await field.locator('input').getAttribute('aria-invalid'),
      problem: await field.locator('.edit-field__problem').textContent(),
      status: await page.locator('.edit-status').textContent(),
    };
    await page.locator('#lang-toggle').click();
    const statusInEnglish = await page.locator('.edit-status').textContent();
    await page.locator('#lang-toggle').click();
    const titles = page.locator('.edit-form-slot h3');
    const formTitle = async () => (await titles.allTextContents())[0];
    await page.locator('.edit-toolbar [data-action=undo]').click();
    const afterUndo = await formTitle();
    await page.locator('.edit-toolbar [data-action=redo]').click();
    const afterRedo = await formTitle();
    const oldPart = await page.evaluate(
      (key) => window.__simpulEditor!.currentSession!.get(key)!.properties,
      `f${id}`,
    );
    const newPart = await page.evaluate(() => {
      const session = window.__simpulEditor!.currentSession!;
      const created = session.pendingEdits().find((e) => e.op === 'create');
      return created && 'feature' in created ? created.feature.properties : undefined;
    });
    await page.locator('.edit-actions [data-action=save]').click();
    const refused = await page.locator('.edit-status').textContent();
    const stored = await api('GET', `/collections/${layer.id}/items/${id}`);

    const title = { id: unique.titleId, en: unique.titleEn };
    expect(shown).toEqual({
      value: '',
      invalid: 'true',
      problem: 'Wajib diisi.',
      status:
        `Garis dipotong. Isi ${title.id} bagian baru (terpilih) dengan nilai yang belum ` +
        'dipakai objek lain; bagian lama tetap SPLIT-OLD.',
    });
    expect(statusInEnglish).toBe(
      `Line split. Give the new part (selected) a ${title.en} no other feature uses; ` +
        'the old part keeps SPLIT-OLD.',
    );
    // undone, the whole line is selected; redone, the new part that needs its code
    expect([afterUndo, afterRedo]).toEqual([`Atribut objek #${id}`, 'Atribut objek baru']);
    expect(oldPart[unique.name]).toBe('SPLIT-OLD');
    // the chainage is divided at the cut, half way along the line
    expect([oldPart.chainage_from_m, oldPart.chainage_to_m]).toEqual([0, 200]);
    expect(newPart).toMatchObject({ chainage_from_m: 200, chainage_to_m: 400 });
    expect(refused).toBe('Perbaiki isian yang ditandai, lalu simpan lagi.');
    expect(stored.body.geometry.coordinates).toEqual([line]);

    await field.locator('input').fill('SPLIT-NEW');
    await field.locator('input').dispatchEvent('change');
    await page.locator('.edit-actions [data-action=save]').click();
    await waitForSaved(page);
    const codes = await server.testDatabase.database.pool.query(
      `SELECT ${unique.name} AS code FROM ${layer.id} WHERE ${unique.name} LIKE 'SPLIT-%'`,
    );
    expect(codes.rows.map((r) => r.code).sort()).toEqual(['SPLIT-NEW', 'SPLIT-OLD']);
    await page.close();
  }, 90000);

  it('offers the split tool for a layer of lines, and none for a layer of points', async () => {
    const pointLayer = layerDefinitions.find(
      (l) => l.theme === layer.theme && l.geometry.type === 'Point',
    )!;
    const centre: [number, number] = [109.006, -7.705];
    const editing = { user: 'insinyur', password, layerId: pointLayer.id, centre };
    const page = await openEditorAs(browser, server.baseUrl, editing);
    await page.waitForFunction(() => !!window.__simpulEditor?.currentSession);
    const split = page.locator('.edit-toolbar [data-action=split]');

    const forPoints = await split.isVisible();
    await page.locator('#edit-layer').selectOption(layer.id);
    const forLines = await split.isVisible();

    expect({ forPoints, forLines }).toEqual({ forPoints: false, forLines: true });
    await page.close();
  });

  it('draws the selected feature over another at the same place', async () => {
    const pointLayer = layerDefinitions.find(
      (l) => l.theme === layer.theme && l.geometry.type === 'Point',
    )!;
    const place: [number, number] = [109.03, -7.73];
    const ids: number[] = [];
    for (const code of ['SAME-1', 'SAME-2']) {
      const properties: Record<string, unknown> = {};
      for (const a of pointLayer.attributes.filter((a) => a.required && !a.computed))
        properties[a.name] = a.unique ? code : validValue(a);
      const created = await api('POST', `/collections/${pointLayer.id}/items`, {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: place },
        properties,
      });
      expect(created.response.status, JSON.stringify(created.body)).toBe(201);
      ids.push(created.body.id as number);
    }
    const editing = { user: 'insinyur', password, layerId: pointLayer.id, centre: place };
    const page = await openEditorAs(browser, server.baseUrl, editing);
    const keys = ids.map((id) => `f${id}`);
    await page.waitForFunction(
      (k) => k.every((key) => !!window.__simpulEditor?.currentSession?.get(key)),
      keys,
    );

    // the first created is drawn first, under the other, until it is selected
    await page.evaluate((key) => window.__simpulEditor!.selectFeature(key), keys[0]!);
    await waitForMapDrawn(page);
    const colour = await page.evaluate((at) => {
      const pixel = window.__simpulMap!.getPixelFromCoordinate(at);
      const canvas = document.querySelector<HTMLCanvasElement>('.map-overlay canvas')!;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const context = canvas.getContext('2d')!;
      const [x, y] = [Math.round(pixel[0]! * scale), Math.round(pixel[1]! * scale)];
      return [...context.getImageData(x, y, 1, 1).data];
    }, toWebMercator(place));

    // the selection's orange (#ff7a00), not the blue of the feature beside it
    expect(colour).toEqual([255, 122, 0, 255]);
    await page.close();
  });

  it('writes a computed length in the interface language, not as a raw float', async () => {
    const computed = layer.attributes.find((a) => a.computed === 'length_m')!;
    // about 1.3 km along the parallel: a figure with thousands and decimals
    const id = await createSegment('LEN-1', [
      [109.0, -7.7035],
      [109.012, -7.7035],
    ]);
    const page = await openEditor();
    await selectInEditor(page, id);
    const length = page.locator(`.edit-form [data-field="${computed.name}"] input`);

    const indonesian = await length.inputValue();
    await page.locator('#lang-toggle').click();
    const english = await length.inputValue();
    // the language chosen stays for the next test's pages
    await page.locator('#lang-toggle').click();

    expect(indonesian).toMatch(/^1\.3\d\d(,\d\d?)?$/);
    expect(english).toMatch(/^1,3\d\d(\.\d\d?)?$/);
    await page.close();
  });

  it('switches the open form between Indonesian and English, keeping what was typed', async () => {
    const textField = layer.attributes.find(
      (a) => a.type === 'text' && !a.domain && !a.computed && !a.unique,
    )!;
    const codedField = layer.attributes.find(
      (a) => !a.computed && a.domain?.some((c) => c.labelEn !== c.labelId),
    )!;
    const coded = codedField.domain!.find((c) => c.labelEn !== c.labelId)!;
    const boundedField = layer.attributes.find(
      (a) => !a.computed && a.type === 'number' && a.max !== undefined,
    )!;
    const created = await api('POST', `/collections/${layer.id}/items`, {
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [109.006, -7.7025],
          [109.009, -7.7025],
        ],
      },
      properties: requiredProperties(),
    });
    const id = created.body.id as number;
    const page = await openEditor();
    const form = page.locator('.edit-form');
    const field = (name: string) => form.locator(`[data-field="${name}"]`);
    const shown = () =>
      page.evaluate(
        ({ text, codedName, boundedName }) => {
          const select = document.querySelector<HTMLSelectElement>('#edit-layer')!;
          const fieldOf = (name: string) =>
            document.querySelector(`.edit-form [data-field="${name}"]`)!;
          const codedSelect = fieldOf(codedName).querySelector('select')!;
          return {
            placeholder: select.options[0]!.textContent,
            layer: select.selectedOptions[0]!.textContent,
            layerId: select.value,
            heading: document.querySelector('.edit-form-slot h3')!.textContent,
            textLabel: fieldOf(text).querySelector('.edit-field__label')!.textContent,
            typed: fieldOf(text).querySelector('input')!.value,
            codedLabel: fieldOf(codedName).querySelector('.edit-field__label')!.textContent,
            codedChoice: codedSelect.selectedOptions[0]!.textContent,
            codedValue: codedSelect.value,
            problem: fieldOf(boundedName).querySelector('.edit-field__problem')!.textContent,
            status: document.querySelector('.edit-status')!.textContent,
          };
        },
        { text: textField.name, codedName: codedField.name, boundedName: boundedField.name },
      );
    const requests: string[] = [];

    try {
      const onLine = await pagePointOf(page, [109.0075, -7.7025]);
      await page.mouse.click(onLine.x, onLine.y);
      await page.waitForFunction(
        (key) => !!window.__simpulEditor?.currentSession?.get(key)?.etag,
        `f${id}`,
      );
      await field(codedField.name).locator('select').selectOption(coded.code);
      await field(boundedField.name)
        .locator('input')
        .fill(String(boundedField.max! + 1));
      await field(boundedField.name).locator('input').dispatchEvent('change');
      // no change event of its own: the click on the language button is what blurs it
      await field(textField.name).locator('input').fill('Jalan belum disimpan');
      page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));

      await page.locator('#lang-toggle').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      const english = await shown();
      await page.locator('#lang-toggle').click();
      await page.waitForFunction(() => document.documentElement.lang === 'id');
      const indonesian = await shown();

      expect(english).toEqual({
        placeholder: '— choose a layer —',
        layer: layer.titleEn,
        layerId: layer.id,
        heading: `Attributes of feature #${id}`,
        textLabel: expect.stringContaining(textField.titleEn),
        typed: 'Jalan belum disimpan',
        codedLabel: expect.stringContaining(codedField.titleEn),
        codedChoice: `${coded.labelEn} (${coded.code})`,
        codedValue: coded.code,
        problem: `At most ${boundedField.max}.`,
        status: expect.stringMatching(/^Unsaved changes: \d+$/),
      });
      expect(indonesian).toEqual({
        placeholder: '— pilih lapisan —',
        layer: layer.titleId,
        layerId: layer.id,
        heading: `Atribut objek #${id}`,
        textLabel: expect.stringContaining(textField.titleId),
        typed: 'Jalan belum disimpan',
        codedLabel: expect.stringContaining(codedField.titleId),
        codedChoice: `${coded.labelId} (${coded.code})`,
        codedValue: coded.code,
        problem: `Paling besar ${boundedField.max}.`,
        status: expect.stringMatching(/^\d+ perubahan belum disimpan$/),
      });
      expect(requests.filter((r) => r.includes(server.baseUrl))).toEqual([]);
    } finally {
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  }, 90000);
});
