import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerAccess } from '../../../layers/types.js';
import { createUser } from '../../../server/services/account-service.js';
import { findLayer } from '../../../server/services/layer-registry.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';
import { toWebMercator } from '../../support/web-mercator.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];
const password = 'sandi-bpbd-yang-panjang';

// Hazard zones restricted to BPBD, as a regency would before releasing them (the server runs
// in this process, so the declaration changed here is the one it serves).
const hazardZone = findLayer('hazard_zone')!;
const publicAccess = hazardZone.access;

let server: TestServer;
let launched: TestBrowser;
let browser: BrowserContext;

beforeAll(async () => {
  (hazardZone as { access: LayerAccess }).access = {
    ...publicAccess,
    read: ['disaster-risk:viewer'],
  };
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'bpbd', password, roles: ['disaster-risk:viewer'] });

  launched = await launchBrowser({ width: 1280, height: 800 });
  browser = launched.context;
});

afterAll(async () => {
  (hazardZone as { access: LayerAccess }).access = publicAccess;
  await launched?.close();
  await server?.close();
});

async function openMapLoggedIn(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
  await page.evaluate(([x, y]) => {
    window.__simpulMap?.getView().setCenter([x, y]);
    window.__simpulMap?.getView().setZoom(13);
  }, toWebMercator(kroyaInnerPoint));

  await logInThroughDialog(page, 'bpbd', password);
  return page;
}

describe('a logout', () => {
  // The first exposure answer overlays every hazard zone with every desa: seconds, not less.
  it('clears the analyses, the plan answer and the restricted layers read before it', async () => {
    const page = await openMapLoggedIn();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    const hazardCheckbox = page.locator('#layer-tree input[data-layer-id="hazard_zone"]');
    await hazardCheckbox.waitFor({ state: 'attached' });

    await page.locator('.plan-lookup__open').click();
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    await page.locator('.plan-lookup__open').click();
    await page.locator('.dashboard__open').click();
    await page.locator('.dashboard__chart canvas').waitFor({ timeout: 60000 });
    const tableRowsBefore = await page.locator('.dashboard__table tbody tr').count();

    await page.locator('#login-button').click();
    await page.locator('#login-button', { hasNotText: 'bpbd' }).waitFor();
    await page.locator('.dashboard__failed').waitFor({ timeout: 15000 });
    await hazardCheckbox.waitFor({ state: 'detached', timeout: 15000 });
    await page.locator('.plan-lookup__open').click();

    expect(tableRowsBefore).toBeGreaterThan(0);
    expect(await page.locator('.dashboard__chart').count()).toBe(0);
    expect(await page.locator('.dashboard__table').count()).toBe(0);
    expect(await page.locator('.plan-lookup .plan-result').count()).toBe(0);
    expect(await hazardCheckbox.count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120000);
});
