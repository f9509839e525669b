import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions, recordTables } from '../../../layers/index.js';
import { createApiToken, createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import {
  launchBrowser,
  logInThroughDialog,
  pagePointOf,
  type TestBrowser,
} from '../../support/browser.js';
import { validValue } from '../../support/valid-feature.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** The line layer engineers edit (road segments where declared). */
const layer = layerDefinitions.find((l) => l.geometry.type === 'MultiLineString')!;
const password = 'insinyur-lapangan-2025';

/** A segment of the test's own, in Cilacap city. */
const existingLine: [number, number][] = [
  [109.0, -7.7],
  [109.004, -7.704],
];
/** The Indian Ocean about 20 km south of Cilacap: far outside the regency. */
const atSea: [number, number] = [109.0, -7.9];

let server: TestServer;
let browser: TestBrowser;
let existingId: number;

function requiredProperties() {
  const properties: Record<string, unknown> = {};
  for (const attribute of layer.attributes) {
    if (attribute.required && !attribute.computed)
      properties[attribute.name] = validValue(attribute);
  }
  return properties;
}

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  const role = `${layer.theme}:editor`;
  await createUser(pool, { name: 'lapangan', password, roles: [role] });
  const apiToken = await createApiToken(pool, { name: 'seed', roles: [role], write: true }, 't');

  const response = await fetch(`${server.baseUrl}/collections/${layer.id}/items`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiToken.secret}`,
      'content-type': 'application/geo+json',
    },
    body: JSON.stringify({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: existingLine },
      properties: requiredProperties(),
    }),
  });
  existingId = ((await response.json()) as { id: number }).id;

  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openMap(viewport = { width: 1280, height: 800 }) {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.setViewportSize(viewport);
  // each test starts in Indonesian, whatever language the one before left chosen
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => window.__simpulMap && window.__simpulEditor);
  return { page, pageErrors };
}

async function logIn(page: Page) {
  await logInThroughDialog(page, 'lapangan', password);
  await page.waitForFunction(
    (id) => !!document.querySelector(`#edit-layer option[value="${id}"]`),
    layer.id,
  );
}

/** Logs in and edits the test's layer around `center` at zoom 17. */
async function openEditor(center: [number, number], viewport?: { width: number; height: number }) {
  const opened = await openMap(viewport);
  const { page } = opened;
  if (viewport && viewport.width < 720) await page.locator('#panel-toggle').click();
  await logIn(page);
  await page.evaluate((c) => {
    const view = window.__simpulMap!.getView();
    view.setCenter(c);
    view.setZoom(17);
  }, toWebMercator(center));
  await page.locator('#edit-layer').selectOption(layer.id);
  await page.waitForFunction(() => !!window.__simpulEditor?.currentSession);
  return opened;
}

/** Selects the test's existing segment and types a new value into a free text field. */
async function changeExistingSegment(page: Page, value: string) {
  await page.waitForFunction(
    (key) => !!window.__simpulEditor?.currentSession?.get(key),
    `f${existingId}`,
  );
  await page.evaluate((key) => window.__simpulEditor!.selectFeature(key), `f${existingId}`);
  const textField = layer.attributes.find(
    (a) => a.type === 'text' && !a.domain && !a.computed && !a.unique && a.required,
  )!;
  const input = page.locator(`.edit-form [data-field="${textField.name}"] input`);
  await input.fill(value);
  await input.dispatchEvent('change');
  await expect.poll(() => pendingCount(page), { timeout: 5000 }).toBe(1);
}

function pendingCount(page: Page) {
  return page.evaluate(() => window.__simpulEditor?.currentSession?.pendingKeys().length ?? 0);
}

function editStatus(page: Page) {
  return page.locator('.edit-status').textContent();
}

/** Draws a line through `points`, finishing with a double-click on the last one. */
async function drawLine(page: Page, points: [number, number][]) {
  await page.locator('.edit-toolbar [data-action=draw]').click();
  for (const [index, point] of points.entries()) {
    const at = await pagePointOf(page, point);
    await page.mouse.move(at.x, at.y);
    if (index < points.length - 1) await page.mouse.click(at.x, at.y);
    else await page.mouse.dblclick(at.x, at.y);
  }
}

async function fillRequiredFields(page: Page) {
  for (const attribute of layer.attributes.filter((a) => a.required && !a.computed)) {
    const field = page.locator(`.edit-form [data-field="${attribute.name}"]`);
    if (attribute.domain) await field.locator('select').selectOption(attribute.domain[0]!.code);
    else await field.locator('input').fill(String(validValue(attribute)));
    await field.locator('input, select').dispatchEvent('change');
  }
}

describe('the web editor as engineers use it in the field', () => {
  it('shows no editing section to a visitor, who may edit nothing', async () => {
    const { page } = await openMap();

    await page.locator('#layer-tree input').first().waitFor();

    expect(await page.locator('.edit-panel').isVisible()).toBe(false);
    await page.close();
  });

  it('finishes a line with a double-click and leaves the zoom as it was', async () => {
    const { page } = await openEditor([109.006, -7.705]);

    await drawLine(page, [
      [109.005, -7.704],
      [109.006, -7.705],
      [109.007, -7.704],
    ]);
    await page.locator('.edit-form').waitFor();
    await page.waitForTimeout(400);

    expect(await page.evaluate(() => window.__simpulMap!.getView().getZoom())).toBe(17);
    expect(await pendingCount(page)).toBe(1);
    await page.close();
  });

  it('keeps what is typed when the selected feature arrives late from the server', async () => {
    const { page } = await openEditor([109.002, -7.702]);
    await page.waitForFunction(
      (key) => !!window.__simpulEditor?.currentSession?.get(key),
      `f${existingId}`,
    );
    // a slow field connection: the fresh copy of the feature (with its ETag) comes 1.5 s late
    const featureUrl = `**/collections/${layer.id}/items/${existingId}`;
    await page.route(featureUrl, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    const textField = layer.attributes.find(
      (a) => a.type === 'text' && !a.domain && !a.computed && !a.unique && a.required,
    )!;

    await page.evaluate((key) => window.__simpulEditor!.selectFeature(key), `f${existingId}`);
    const input = page.locator(`.edit-form [data-field="${textField.name}"] input`);
    await input.fill('Diketik di sawah');
    await page.waitForResponse((response) => response.url().endsWith(`/items/${existingId}`));
    await page.waitForTimeout(300);

    expect(await input.inputValue()).toBe('Diketik di sawah');
    await page.close();
  });

  it('keeps saying that changes are unsaved after the map moves', async () => {
    const { page } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, 'Jalan belum disimpan');

    await page.evaluate(
      (c) => window.__simpulMap!.getView().setCenter(c),
      toWebMercator([109.003, -7.703]),
    );
    await page.waitForFunction(() => document.querySelector('.edit-status')?.textContent !== '');
    await page.waitForTimeout(1000);

    expect(await editStatus(page)).toBe('1 perubahan belum disimpan');
    await page.close();
  });

  it('disables the actions until they can do something, saying why', async () => {
    const { page } = await openMap();
    await logIn(page);
    // each action's tooltip when it is disabled, else 'active'
    const actions = () =>
      page.locator('.edit-actions button').evaluateAll((buttons: HTMLButtonElement[]) =>
        Object.fromEntries(
          buttons.map((b) => {
            const disabled = b.getAttribute('aria-disabled') === 'true';
            return [b.dataset.action, disabled ? b.title : 'active'];
          }),
        ),
      );

    const noLayer = await actions();
    await page.locator('.edit-actions [data-action=save]').focus();
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement).dataset);
    await page.locator('#lang-toggle').click();
    const noLayerEnglish = await actions();
    await page.locator('#lang-toggle').click();
    await page.evaluate(
      (c) => {
        const view = window.__simpulMap!.getView();
        view.setCenter(c);
        view.setZoom(17);
      },
      toWebMercator([109.002, -7.702]),
    );
    // the layer's features held back: the actions say why while they load, as after
    let releaseFeatures = () => {};
    const featuresHeld = new Promise<void>((resolve) => (releaseFeatures = resolve));
    await page.route(`**/collections/${layer.id}/items?*`, async (route) => {
      await featuresHeld;
      await route.continue();
    });
    await page.locator('#edit-layer').selectOption(layer.id);
    await page.waitForFunction(() => !!window.__simpulEditor?.currentSession);
    const whileLoading = await actions();
    releaseFeatures();
    const noChange = await actions();
    await changeExistingSegment(page, 'Jalan siap disimpan');
    const changed = await actions();

    const chooseLayer = 'Pilih dulu lapisan yang disunting.';
    expect(noLayer).toEqual({
      save: chooseLayer,
      discard: chooseLayer,
      history: chooseLayer,
      deleted: chooseLayer,
    });
    expect(focused.action).toBe('save');
    expect(noLayerEnglish.save).toBe('Choose a layer to edit first.');
    expect(whileLoading).toEqual(noChange);
    expect(noChange).toEqual({
      save: 'Belum ada perubahan untuk disimpan.',
      discard: 'Belum ada perubahan untuk dibuang.',
      history: 'Pilih objek tersimpan untuk melihat riwayatnya.',
      deleted: 'active',
    });
    expect(changed).toEqual({
      save: 'active',
      discard: 'active',
      history: 'active',
      deleted: 'active',
    });
    await page.close();
  });

  it('says a save failed offline, keeps the changes and saves them later', async () => {
    const { page, pageErrors } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, 'Jalan disimpan nanti');

    await browser.context.setOffline(true);
    let offlineStatus: string | null;
    let keptWhileOffline: number;
    try {
      await page.locator('.edit-actions [data-action=save]').click();
      await page.waitForTimeout(1000);
      offlineStatus = await editStatus(page);
      keptWhileOffline = await pendingCount(page);
    } finally {
      await browser.context.setOffline(false);
    }
    await page.locator('.edit-actions [data-action=save]').click();

    await expect.poll(() => editStatus(page), { timeout: 15000 }).toBe('Tersimpan.');
    expect(offlineStatus).toBe(
      'Belum tersimpan: tidak tersambung ke server. Perubahan Anda masih ada; simpan lagi nanti.',
    );
    expect(keptWhileOffline).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  /** A road segment renamed `name`, with a new survey record whose required choices are set. */
  async function openFilledRecordForm(name: string) {
    const table = recordTables.find((t) => t.parent?.layerId === layer.id)!;
    const { page } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, name);
    const block = page.locator(`.edit-records[data-table="${table.id}"]`);
    await block.locator('button[data-text="records.add"]').click();
    for (const attribute of table.attributes.filter((a) => a.required && a.domain)) {
      await block
        .locator(`[data-field="${attribute.name}"] select`)
        .selectOption(attribute.domain![0]!.code);
    }
    return { page, block };
  }

  it('says a record could not be saved for want of a connection, beside its form', async () => {
    const { page, block } = await openFilledRecordForm('Jalan disurvei');

    await browser.context.setOffline(true);
    let problem: string | null;
    try {
      await block.locator('[data-action="save-record"]').click();
      await page.waitForTimeout(1000);
      problem = await block.locator('.edit-form__problem').last().textContent();
    } finally {
      await browser.context.setOffline(false);
    }
    await page.locator('#lang-toggle').click();
    const english = await block.locator('.edit-form__problem').last().textContent();

    expect(problem).toBe(
      'Belum tersimpan: tidak tersambung ke server. Perubahan Anda masih ada; simpan lagi nanti.',
    );
    expect(english).toBe(
      'Not saved: no connection to the server. Your changes are still here; save later.',
    );
    await page.close();
  });

  it('opens one new record form however often its add button is pressed', async () => {
    const table = recordTables.find((t) => t.parent?.layerId === layer.id)!;
    const { page } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, 'Jalan dengan satu catatan baru');
    const block = page.locator(`.edit-records[data-table="${table.id}"]`);

    await block.locator('button[data-text="records.add"]').click();
    await block.locator('button[data-text="records.add"]').click();

    await expect.poll(() => block.locator('[data-action="save-record"]').count()).toBe(1);
    // the press leads to the form's first field, not to a second form
    const focused = await page.evaluate(() => {
      const field = document.activeElement;
      return field?.closest('.edit-records') ? field.tagName : 'elsewhere';
    });
    expect(['INPUT', 'SELECT', 'TEXTAREA']).toContain(focused);
    await page.close();
  });

  it('adds a record once however often its Save is pressed while it is sent', async () => {
    const { page, block } = await openFilledRecordForm('Jalan disurvei dua kali');
    const posts: string[] = [];
    await page.route('**/records/**', async (route) => {
      if (route.request().method() === 'POST') {
        posts.push(route.request().url());
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      await route.continue();
    });

    const save = block.locator('[data-action="save-record"]');
    await save.click();
    await save.click();
    await save.waitFor({ state: 'detached', timeout: 15000 });

    expect(posts).toHaveLength(1);
    await page.close();
  });

  /** The editor open on the existing segment, renamed `name` and saved: it has a history. */
  async function openWithSavedSegment(name: string) {
    const opened = await openEditor([109.002, -7.702]);
    await changeExistingSegment(opened.page, name);
    await opened.page.locator('.edit-actions [data-action=save]').click();
    await expect.poll(() => editStatus(opened.page), { timeout: 15000 }).toBe('Tersimpan.');
    return opened;
  }

  it('asks before a restore replaces changes not saved, and keeps them when told', async () => {
    const { page, pageErrors } = await openWithSavedSegment('Jalan sebelum dipulihkan');
    await changeExistingSegment(page, 'Perubahan yang belum disimpan');
    const questions: string[] = [];
    page.on('dialog', (question) => {
      questions.push(question.message());
      void question.dismiss();
    });
    const restores: string[] = [];
    page.on('request', (r) => r.url().endsWith('/restore') && restores.push(r.url()));

    await page.locator('.edit-actions [data-action=history]').click();
    const dialog = page.locator('dialog.history-dialog[open]');
    await dialog.locator('li button').first().click();
    await expect.poll(() => questions.length).toBe(1);

    expect(questions[0]).toMatch(/^Objek ini punya perubahan yang belum disimpan; memulihkan/);
    expect(restores).toEqual([]);
    expect(await dialog.isVisible()).toBe(true);
    expect(await pendingCount(page)).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('says why history cannot be read or restored without a connection', async () => {
    const { page, pageErrors } = await openWithSavedSegment('Jalan dengan riwayat');
    const offline = 'tidak tersambung ke server; coba lagi nanti.';

    await browser.context.setOffline(true);
    let historyStatus: string | null;
    let deletedStatus: string | null;
    try {
      await page.locator('.edit-actions [data-action=history]').click();
      await expect.poll(() => editStatus(page)).toContain('Riwayat tidak dapat dibaca');
      historyStatus = await editStatus(page);
      await page.locator('.edit-actions [data-action=deleted]').click();
      await page.waitForTimeout(500);
      deletedStatus = await editStatus(page);
    } finally {
      await browser.context.setOffline(false);
    }
    await page.locator('.edit-actions [data-action=history]').click();
    const dialog = page.locator('dialog.history-dialog[open]');
    await dialog.locator('li button').first().waitFor();
    await browser.context.setOffline(true);
    let restoreProblem: string | null;
    try {
      await dialog.locator('li button').first().click();
      await dialog.locator('[role=alert]', { hasText: /\S/ }).waitFor({ timeout: 5000 });
      restoreProblem = await dialog.locator('[role=alert]').textContent();
    } finally {
      await browser.context.setOffline(false);
    }

    expect(historyStatus).toBe(`Riwayat tidak dapat dibaca: ${offline}`);
    expect(deletedStatus).toBe(`Riwayat tidak dapat dibaca: ${offline}`);
    expect(restoreProblem).toBe(`Belum dipulihkan: ${offline}`);
    expect(await dialog.isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('says in both languages that the features in view cannot load offline', async () => {
    const { page, pageErrors } = await openEditor([109.002, -7.702]);
    await page.waitForFunction(
      () => (window.__simpulEditor?.currentSession?.all().length ?? 0) > 0,
    );
    const said: (string | null)[] = [];
    await browser.context.setOffline(true);
    try {
      await page.evaluate(() => {
        const view = window.__simpulMap!.getView();
        view.setCenter([view.getCenter()![0]! + 300, view.getCenter()![1]!]);
      });
      await expect.poll(() => editStatus(page)).toContain('tidak tersambung');
      said.push(await editStatus(page));
      await page.locator('#lang-toggle').click();
      said.push(await editStatus(page));
    } finally {
      await browser.context.setOffline(false);
    }

    expect(said).toEqual([
      'Objek tidak dapat dimuat: tidak tersambung ke server; coba lagi nanti.',
      'The features could not be loaded: no connection to the server; try again later.',
    ]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('asks for a login when a session ends at a save, then says the login is back', async () => {
    const { page } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, 'Jalan sesudah sesi habis');

    await browser.context.clearCookies();
    await page.locator('.edit-actions [data-action=save]').click();
    const dialog = page.locator('.login-dialog');
    await dialog.waitFor();
    const status = await editStatus(page);
    await dialog.locator('input[name=name]').fill('lapangan');
    await dialog.locator('input[name=password]').fill(password);
    await dialog.locator('button[type=submit]').click();
    // the app bar still names the user whose session ended: the dialog's closing tells
    await dialog.waitFor({ state: 'hidden' });
    const back = await editStatus(page);
    await page.locator('#lang-toggle').click();
    const backInEnglish = await editStatus(page);
    await page.locator('#lang-toggle').click();
    await page.locator('.edit-actions [data-action=save]').click();

    await expect.poll(() => editStatus(page), { timeout: 15000 }).toBe('Tersimpan.');
    expect(status).toBe(
      'Belum tersimpan: sesi masuk Anda telah berakhir. Masuk lagi, lalu simpan.',
    );
    expect([back, backInEnglish]).toEqual([
      'Anda sudah masuk lagi sebagai lapangan; 1 perubahan belum disimpan: simpan sekarang.',
      'You are logged in again as lapangan; unsaved changes: 1. Save them now.',
    ]);
    await page.close();
  });

  it('asks before a logout would drop unsaved changes, and keeps them when told no', async () => {
    const { page } = await openEditor([109.002, -7.702]);
    await changeExistingSegment(page, 'Jalan jangan dibuang');
    const questions: string[] = [];
    page.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });

    await page.locator('#login-button').click();
    await page.waitForTimeout(500);

    expect(questions).toEqual([
      'Ada perubahan yang belum disimpan. Keluar dan buang perubahan itu?',
    ]);
    expect(await page.locator('#login-button').textContent()).toContain('lapangan');
    expect(await pendingCount(page)).toBe(1);
    await page.close();
  });

  it('says in both languages that a line drawn at sea lies outside the regency', async () => {
    const { page } = await openEditor(atSea);

    await drawLine(page, [atSea, [atSea[0] + 0.002, atSea[1] - 0.001]]);
    await page.locator('.edit-form').waitFor();
    await fillRequiredFields(page);
    await page.locator('.edit-actions [data-action=save]').click();
    const problem = page.locator('.edit-form__problem');
    await expect.poll(() => problem.textContent(), { timeout: 15000 }).not.toBe('');
    const indonesian = await problem.textContent();
    await page.locator('#lang-toggle').click();
    const english = await problem.textContent();

    expect(indonesian).toMatch(
      /^Geometri berada \d+(,\d)? km di luar batas kabupaten; paling jauh 500 m yang diterima\.$/,
    );
    expect(english).toMatch(
      /^The geometry reaches \d+(\.\d)? km outside the regency; at most 500 m is accepted\.$/,
    );
    await page.close();
  });

  it('shows every editing tool whole and clear of the zoom buttons on a phone', async () => {
    const { page } = await openEditor([109.006, -7.705], { width: 390, height: 844 });

    const tools = await page.locator('.edit-toolbar .edit-tool').evaluateAll((buttons) =>
      buttons.map((button) => ({
        clipped: button.scrollWidth > button.clientWidth || button.scrollHeight > 48,
        box: button.getBoundingClientRect().toJSON() as DOMRect,
      })),
    );
    const zoom = (await page.locator('.ol-zoom').boundingBox())!;
    const toolbar = (await page.locator('.edit-toolbar').boundingBox())!;

    expect(tools.filter((tool) => tool.clipped)).toEqual([]);
    expect(toolbar.x).toBeGreaterThanOrEqual(zoom.x + zoom.width);
    await page.close();
  });

  it('puts every editing tool in reach on a phone, unscrolled, in both languages', async () => {
    const { page } = await openEditor([109.006, -7.705], { width: 390, height: 844 });
    const outOfReach = () =>
      page.locator('.edit-toolbar').evaluate((toolbar) => {
        const bar = toolbar.getBoundingClientRect();
        const tools = [...toolbar.querySelectorAll<HTMLElement>('.edit-tool')];
        const missed = tools.filter((tool) => {
          const box = tool.getBoundingClientRect();
          const right = Math.min(bar.right, innerWidth);
          const inside = box.left >= bar.left && box.right <= right;
          const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
          const centre = document.elementFromPoint(x, y);
          return !inside || !tool.contains(centre);
        });
        const scrolls = toolbar.scrollWidth > toolbar.clientWidth;
        return [
          ...(scrolls ? ['the toolbar scrolls'] : []),
          ...missed.map((t) => t.dataset.action),
        ];
      });

    const indonesian = await outOfReach();
    await page.locator('#lang-toggle').click();
    const english = await outOfReach();
    await page.locator('#lang-toggle').click();

    expect(await page.locator('.edit-toolbar .edit-tool').count()).toBeGreaterThanOrEqual(7);
    expect(indonesian).toEqual([]);
    expect(english).toEqual([]);
    await page.close();
  });

  it('leaves the scale bar in sight above the editing toolbar on a phone', async () => {
    const { page } = await openEditor([109.006, -7.705], { width: 390, height: 844 });

    const scale = (await page.locator('.ol-scale-line').boundingBox())!;
    const toolbar = (await page.locator('.edit-toolbar').boundingBox())!;
    const map = (await page.locator('#map').boundingBox())!;

    expect(scale.y).toBeGreaterThanOrEqual(map.y);
    expect(scale.y + scale.height).toBeLessThanOrEqual(toolbar.y);
    await page.close();
  });

  /**
   * On a phone, with the panel folded away, taps the existing road in edit mode and returns
   * the page once its form is shown.
   */
  async function tapExistingRoadOnPhone() {
    const middle: [number, number] = [109.002, -7.702];
    const { page } = await openEditor(middle, { width: 390, height: 844 });
    await page.waitForFunction(
      (key) => !!window.__simpulEditor?.currentSession?.get(key),
      `f${existingId}`,
    );
    await page.locator('#panel-toggle').click();
    await expect.poll(() => page.locator('#panel').isVisible()).toBe(false);

    const tap = await pagePointOf(page, middle);
    await page.mouse.click(tap.x, tap.y);
    await page.locator('.edit-form').waitFor({ timeout: 10000 });
    return page;
  }

  it('opens the panel with the form of a feature tapped on a phone', async () => {
    const page = await tapExistingRoadOnPhone();

    const panel = (await page.locator('#panel').boundingBox())!;
    const form = (await page.locator('.edit-form-slot h3').boundingBox())!;
    expect(await page.locator('.edit-form-slot h3').textContent()).toContain(String(existingId));
    expect(form.y).toBeGreaterThanOrEqual(panel.y);
    expect(form.y + form.height).toBeLessThanOrEqual(panel.y + panel.height);
    await page.close();
  });

  it('keeps Save in reach beside the form of a feature tapped on a phone', async () => {
    const page = await tapExistingRoadOnPhone();
    await page.waitForTimeout(500);

    const panel = (await page.locator('#panel').boundingBox())!;
    const save = (await page.locator('.edit-actions [data-action=save]').boundingBox())!;
    const form = (await page.locator('.edit-form-slot h3').boundingBox())!;
    const saveOnTop = await page.evaluate(
      ({ x, y }) => document.elementFromPoint(x, y)?.closest('button')?.dataset.action,
      { x: save.x + save.width / 2, y: save.y + save.height / 2 },
    );
    expect(form.y).toBeGreaterThanOrEqual(panel.y);
    expect(save.y).toBeGreaterThanOrEqual(panel.y);
    expect(save.y + save.height).toBeLessThanOrEqual(panel.y + panel.height);
    expect(saveOnTop).toBe('save');
    await page.close();
  });

  it('leaves no field of the form under the action row when it is reached by Tab', async () => {
    for (const viewport of [undefined, { width: 390, height: 844 }]) {
      const { page } = await openEditor([109.002, -7.702], viewport);
      await changeExistingSegment(page, 'Jalan ditelusuri');

      const hidden = await page.locator('.edit-form').evaluate(async (form) => {
        const covered: string[] = [];
        for (const field of form.querySelectorAll<HTMLInputElement>('input, select, textarea')) {
          field.focus();
          // computed fields take no focus, so Tab never brings them into view
          if (document.activeElement !== field) continue;
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const box = field.getBoundingClientRect();
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          if (hit !== field && !field.contains(hit)) covered.push(field.name);
        }
        return covered;
      });

      expect(hidden).toEqual([]);
      await page.close();
    }
  });
});
