import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerDefinitions } from '../../../layers/index.js';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** The polygon layer planners edit (the spatial plan zones where declared). */
const layer = layerDefinitions.find(
  (l) => l.theme === 'spatial-plan' && l.geometry.type === 'MultiPolygon',
)!;
const password = 'perencana-bappeda-2025';
/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];
const phone = { width: 390, height: 844 };

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'perencana', password, roles: [`${layer.theme}:editor`] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Logs in and edits the plan zones around Kroya's inner point at zoom 15. */
async function openEditor(viewport = { width: 1280, height: 800 }) {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => window.__simpulMap && window.__simpulEditor);
  if (viewport.width < 720) await page.locator('#panel-toggle').click();

  await logInThroughDialog(page, 'perencana', password);
  await page.waitForFunction(
    (id) => !!document.querySelector(`#edit-layer option[value="${id}"]`),
    layer.id,
  );
  await page.evaluate((centre) => {
    window.__simpulMap!.getView().setCenter(centre);
    window.__simpulMap!.getView().setZoom(15);
  }, toWebMercator(kroyaInnerPoint));
  await page.locator('#edit-layer').selectOption(layer.id);
  await page.waitForFunction(() => !!window.__simpulEditor?.currentSession?.all().length);
  return page;
}

function pendingCount(page: Page) {
  return page.evaluate(() => window.__simpulEditor?.currentSession?.pendingKeys().length ?? 0);
}

/** Whether the element shows and a tap at its centre reaches it (nothing lies over it). */
function isInReach(page: Page, selector: string) {
  return page.locator(selector).evaluate((element) => {
    if (!element.checkVisibility()) return false;
    const box = element.getBoundingClientRect();
    const centre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return element.contains(centre);
  });
}

describe('the Informasi Tata Ruang sheet while a planner edits the plan zones', () => {
  it('answers a click on the map instead of selecting a zone to edit', async () => {
    const page = await openEditor();

    await page.locator('.plan-lookup__open').click();
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.plan-result').waitFor({ timeout: 15000 });

    expect(await page.locator('.plan-facts dd').first().textContent()).toContain('Kroya');
    expect(await page.locator('.edit-form').count()).toBe(0);
    await page.close();
  });

  it('takes the panel’s place on a phone, giving the edit form back when closed', async () => {
    const page = await openEditor(phone);
    const key = await page.evaluate(() => window.__simpulEditor!.currentSession!.all()[0]!.key);
    await page.evaluate((k) => window.__simpulEditor!.selectFeature(k), key);
    const isFreeText = (a: (typeof layer.attributes)[number]) => a.type === 'text' && !a.domain;
    const textField = layer.attributes.find((a) => isFreeText(a) && a.required)!;
    const input = page.locator(`.edit-form [data-field="${textField.name}"] input`);
    await input.fill('Zona yang sedang disunting');
    await input.dispatchEvent('change');
    await expect.poll(() => pendingCount(page), { timeout: 5000 }).toBe(1);

    await page.locator('.plan-lookup__open').click();
    // the sheet is drawn anew once the activities have arrived
    await page.locator('.plan-activity option').nth(1).waitFor({ state: 'attached' });
    const whileOpen = {
      sheet: await isInReach(page, '.plan-lookup__close'),
      saveCovered: await page.locator('.edit-actions [data-action=save]').evaluate((save) => {
        const sheet = document.querySelector('.plan-lookup')!.getBoundingClientRect();
        return save.checkVisibility() && save.getBoundingClientRect().bottom > sheet.top;
      }),
    };
    await page.locator('.plan-lookup__close').click();

    expect(whileOpen).toEqual({ sheet: true, saveCovered: false });
    expect(await isInReach(page, '.edit-actions [data-action=save]')).toBe(true);
    expect(await input.inputValue()).toBe('Zona yang sedang disunting');
    expect(await pendingCount(page)).toBe(1);
    await page.close();
  });

  it('closes on a phone when the panel is opened over it', async () => {
    const page = await openEditor(phone);

    await page.locator('.plan-lookup__open').click();
    await page.locator('#panel-toggle').click();

    expect(await page.locator('.plan-lookup').isVisible()).toBe(false);
    expect(await isInReach(page, '#edit-layer')).toBe(true);
    await page.close();
  });
});
