import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLayer } from '../../../server/services/layer-registry.js';
import { createApiToken, createUser } from '../../../server/services/account-service.js';
import {
  launchBrowser,
  openEditorAs,
  pagePointOf,
  type TestBrowser,
  waitForMapDrawn,
} from '../../support/browser.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { validValue } from '../../support/valid-feature.js';

const layer = findLayer('road_segment')!;
const password = 'patok-jalan-2025';
/** Where the segments the tests create lie, side by side. */
const segmentMiddle: [number, number] = [109.0215, -7.7205];

let server: TestServer;
let launched: TestBrowser;
let browser: BrowserContext;
let token: string;

async function api(method: string, url: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, body: await response.json() };
}

/** A segment another system stored, 7.5 m wide, with its chainage from 0 to 220 m. */
async function createSegment(code: string): Promise<number> {
  const properties: Record<string, unknown> = {};
  for (const attribute of layer.attributes) {
    if (attribute.required && !attribute.computed)
      properties[attribute.name] = validValue(attribute);
  }
  const created = await api('POST', `/collections/${layer.id}/items`, {
    type: 'Feature',
    geometry: {
      type: 'LineString',
      coordinates: [
        [segmentMiddle[0] - 0.001, segmentMiddle[1]],
        [segmentMiddle[0] + 0.001, segmentMiddle[1]],
      ],
    },
    properties: {
      ...properties,
      segment_code: code,
      width_m: 7.5,
      chainage_from_m: 0,
      chainage_to_m: 220,
    },
  });
  expect(created.response.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

beforeAll(async () => {
  const configFile = path.resolve(import.meta.dirname, '../../../web/vite.config.ts');
  await build({ configFile, logLevel: 'warn' });
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  const role = `${layer.theme}:editor`;
  await createUser(pool, { name: 'pengukur', password, roles: [role] });
  token = (await createApiToken(pool, { name: 'sipd', roles: [role], write: true }, 't')).secret;
  launched = await launchBrowser({ width: 1280, height: 800 });
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await server?.close();
});

/** Logs in as the road engineer and edits road segments around the created ones. */
async function openEditor(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const editing = { user: 'pengukur', password, layerId: layer.id, centre: segmentMiddle };
  return openEditorAs(browser, server.baseUrl, editing, viewport);
}

/** Waits until the editor holds segment `id`, as loaded with the features in view. */
async function waitForLoaded(page: Page, id: number) {
  await page.waitForFunction((k) => !!window.__simpulEditor?.currentSession?.get(k), `f${id}`);
}

/** Logs in as the road engineer and opens the form of segment `id`. */
async function openForm(id: number): Promise<Page> {
  const page = await openEditor();
  const key = `f${id}`;
  await waitForLoaded(page, id);
  await page.evaluate((k) => window.__simpulEditor!.selectFeature(k), key);
  await page.waitForFunction((k) => !!window.__simpulEditor?.currentSession?.get(k)?.etag, key);
  return page;
}

/** Types `text` into the field of `attribute` key by key, as a person does, and leaves it. */
async function typeInto(page: Page, attribute: string, text: string) {
  const input = page.locator(`.edit-form [data-field="${attribute}"] input`);
  await input.fill('');
  await input.pressSequentially(text);
  await input.press('Tab');
}

describe('number fields of the attribute form', () => {
  it('shows a decimal comma in Indonesian and saves a number typed with one', async () => {
    const id = await createSegment('R.NUM.1');
    const page = await openForm(id);
    const width = page.locator('.edit-form [data-field="width_m"] input');
    const shown = await width.inputValue();

    await typeInto(page, 'width_m', '8,25');
    await typeInto(page, 'chainage_to_m', '1234,5');
    await page.locator('.edit-actions [data-action=save]').click();
    await page.waitForFunction(
      () => document.querySelector('.edit-status')?.textContent === 'Tersimpan.',
    );

    const saved = await api('GET', `/collections/${layer.id}/items/${id}`);
    expect(shown).toBe('7,5');
    expect(saved.body.properties).toMatchObject({ width_m: 8.25, chainage_to_m: 1234.5 });
    await page.close();
  }, 90000);

  it('names a number it cannot read instead of saving the field empty', async () => {
    const id = await createSegment('R.NUM.2');
    const page = await openForm(id);

    await typeInto(page, 'width_m', '7e');
    await page.locator('.edit-actions [data-action=save]').click();
    const problem = page.locator('.edit-form [data-field="width_m"] .edit-field__problem');
    await expect.poll(() => problem.textContent()).not.toBe('');

    const stored = await api('GET', `/collections/${layer.id}/items/${id}`);
    const typed = await page.locator('.edit-form [data-field="width_m"] input').inputValue();
    expect(typed).toBe('7e');
    expect(stored.body.properties.width_m).toBe(7.5);
    await page.close();
  }, 90000);
});

describe('undo and redo from the keyboard', () => {
  it('keeps the focus on Undo once nothing is left to undo, and on Redo likewise', async () => {
    const id = await createSegment('R.NUM.3');
    const page = await openForm(id);
    await typeInto(page, 'width_m', '9');
    const undo = page.locator('.edit-toolbar [data-action="undo"]');
    const redo = page.locator('.edit-toolbar [data-action="redo"]');
    const focused = (button: typeof undo) =>
      button.evaluate((node) => node === document.activeElement);

    await undo.focus();
    await page.keyboard.press('Enter');
    const width = page.locator('.edit-form [data-field="width_m"] input');
    const undoneWidth = await width.inputValue();
    const focusAfterUndo = await focused(undo);
    await page.keyboard.press('Enter');
    await redo.focus();
    await page.keyboard.press('Enter');
    const focusAfterRedo = await focused(redo);

    expect(undoneWidth).toBe('7,5');
    expect(focusAfterUndo).toBe(true);
    expect(await undo.getAttribute('aria-disabled')).toBe('false');
    expect(focusAfterRedo).toBe(true);
    expect(await redo.getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('.edit-status').textContent()).toBe('1 perubahan belum disimpan');
    await page.close();
  }, 90000);
});

describe('the editor on a phone', () => {
  it('moves a tapped road clear of the form that opens over it', async () => {
    const id = await createSegment('R.NUM.4');
    const page = await openEditor({ width: 390, height: 844 });
    await waitForLoaded(page, id);
    // the panel lies over the lower half of the map, the road in its middle: close it to tap
    await page.locator('#panel-toggle').click();
    await waitForMapDrawn(page);
    const tapped = await pagePointOf(page, segmentMiddle);

    await page.mouse.click(tapped.x, tapped.y);
    await page.locator('.edit-form').waitFor();
    const heading = await page.locator('.edit-panel h3, .edit-panel h2').allTextContents();
    const panelTop = (await page.locator('#panel').boundingBox())!.y;

    expect(tapped.y).toBeGreaterThan(panelTop);
    expect(heading.join(' ')).toContain(`#${id}`);
    await expect
      .poll(async () => (await pagePointOf(page, segmentMiddle)).y)
      .toBeLessThan(panelTop);
    const shown = await pagePointOf(page, segmentMiddle);
    expect(shown.y).toBeGreaterThan((await page.locator('#map').boundingBox())!.y);
    await page.close();
  }, 90000);
});

describe('leaving the page', () => {
  it('asks before a reload or a closed tab drops changes not saved, and only then', async () => {
    const id = await createSegment('R.NUM.5');
    const page = await openForm(id);
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    // nothing changed yet: the page leaves without a question
    await page.reload();
    await page.waitForFunction(() => window.__simpulMap && window.__simpulEditor);
    expect(asked).toEqual([]);
    await page.close();

    const editing = await openForm(id);
    editing.on('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    await typeInto(editing, 'width_m', '9');
    await editing.close({ runBeforeUnload: true });
    await expect.poll(() => asked).toEqual(['beforeunload']);
    // dismissed: the page stays, the change with it
    expect(editing.isClosed()).toBe(false);
    const pending = await editing.evaluate(
      () => window.__simpulEditor!.currentSession!.pendingKeys().length,
    );
    expect(pending).toBe(1);
    await editing.close();
  }, 90000);
});

describe('a save waiting for its answer', () => {
  /** Holds each batch 2 s before sending it on, as a slow connection would; counts them. */
  async function slowBatches(page: Page) {
    const sent: string[] = [];
    await page.route('**/batch', async (route) => {
      sent.push(route.request().postData() ?? '');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.continue();
    });
    return sent;
  }

  it('sends the changes once however often Save is pressed meanwhile', async () => {
    const id = await createSegment('R.NUM.6');
    const page = await openForm(id);
    const sent = await slowBatches(page);
    const save = page.locator('.edit-actions [data-action=save]');

    await typeInto(page, 'width_m', '9');
    await save.click();
    await save.click({ force: true });
    await save.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('.edit-status')?.textContent === 'Tersimpan.',
    );

    expect(sent).toHaveLength(1);
    const history = await api('GET', `/collections/${layer.id}/items/${id}/history`);
    expect(history.body.versions).toHaveLength(2);
    await page.close();
  }, 90000);

  it('keeps a field typed meanwhile as a change still to save, and saves it next', async () => {
    const id = await createSegment('R.NUM.7');
    const page = await openForm(id);
    await slowBatches(page);

    await typeInto(page, 'width_m', '9');
    const answered = page.waitForResponse('**/batch');
    await page.locator('.edit-actions [data-action=save]').click();
    await typeInto(page, 'name', 'Jalan diketik saat menyimpan');
    await answered;
    await page.waitForFunction(() => !window.__simpulEditor!.currentSession!.canUndo);
    const status = await page.locator('.edit-status').textContent();
    const afterFirst = await api('GET', `/collections/${layer.id}/items/${id}`);

    expect(status).not.toBe('Tersimpan.');
    expect(afterFirst.body.properties.width_m).toBe(9);
    expect(afterFirst.body.properties.name).not.toBe('Jalan diketik saat menyimpan');
    await page.locator('.edit-actions [data-action=save]').click();
    await page.waitForFunction(
      () => document.querySelector('.edit-status')?.textContent === 'Tersimpan.',
    );
    const afterSecond = await api('GET', `/collections/${layer.id}/items/${id}`);
    expect(afterSecond.body.properties).toMatchObject({
      width_m: 9,
      name: 'Jalan diketik saat menyimpan',
    });
    await page.close();
  }, 90000);

  it('still says it is saving while a field is typed, then that a change waits', async () => {
    const id = await createSegment('R.NUM.8');
    const page = await openForm(id);
    await slowBatches(page);
    const status = page.locator('.edit-status');

    await typeInto(page, 'width_m', '9');
    const answered = page.waitForResponse('**/batch');
    await page.locator('.edit-actions [data-action=save]').click();
    await typeInto(page, 'name', 'Jalan diketik saat menyimpan');
    const whileSaving = await status.textContent();
    await answered;
    await page.waitForFunction(() => !window.__simpulEditor!.currentSession!.canUndo);

    expect(whileSaving).toBe('Menyimpan…');
    await expect.poll(() => status.textContent()).toBe('1 perubahan belum disimpan');
    await page.close();
  }, 90000);
});
