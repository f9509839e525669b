import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../../support/app-server.js';
import { startGeoServerStandIn, type GeoServerStandIn } from '../../support/geoserver-stand-in.js';

const password = 'rahasia-sekali-123';
describe('the GeoServer admin page', () => {
  let launched: TestBrowser;
  let geoserver: GeoServerStandIn;
  let server: TestServer;
  let browser: BrowserContext;

  beforeAll(async () => {
    geoserver = await startGeoServerStandIn();
    vi.stubEnv('GEOSERVER_URL', geoserver.restUrl);
    vi.stubEnv('GEOSERVER_USER', geoserver.user);
    vi.stubEnv('GEOSERVER_PASSWORD', geoserver.password);
    vi.stubEnv('GEOSERVER_DATASTORE_URL', 'postgres://reader:db-secret@db.internal/simpul');
    vi.resetModules();
    const { startTestServer } = await import('../../support/app-server.js');
    const { createUser } = await import('../../../server/services/account-service.js');
    server = await startTestServer();
    await createUser(server.testDatabase.database.pool, {
      name: 'admin',
      password,
      roles: ['admin'],
    });

    launched = await launchBrowser({ width: 1100, height: 900 });
    browser = launched.context;
  }, 180000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await launched?.close();
    await server?.close();
    await geoserver?.close();
  });

  /** Opens the GeoServer page and logs the administrator in through the page's own form. */
  async function logInOnThePage(page: Page) {
    await page.goto(`${server.baseUrl}/#/admin/geoserver`);
    await page.locator('.geoserver-admin__login input[name=name]').fill('admin');
    await page.locator('.geoserver-admin__login input[name=password]').fill(password);
    await page.locator('.geoserver-admin__login button').click();
  }

  /** A new page whose uncaught errors are kept in `pageErrors`. */
  async function pageKeepingErrors() {
    const page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    return { page, pageErrors };
  }

  /** Waits until the admin page says `text`. */
  async function adminPageSays(page: Page, text: string) {
    await expect
      .poll(() => page.locator('.geoserver-admin').innerText(), { timeout: 20000 })
      .toContain(text);
  }

  it('logs an administrator in, shows the plan, applies it and shows the result', async () => {
    const { page, pageErrors } = await pageKeepingErrors();

    await logInOnThePage(page);
    await adminPageSays(page, 'Belum pernah diterapkan');

    await page.getByRole('button', { name: 'Periksa rencana' }).click();
    await page.locator('.geoserver-admin__table').waitFor();
    const planRows = await page.locator('.geoserver-admin__row--create').count();
    await page.getByRole('button', { name: 'Terapkan rencana' }).click();
    await adminPageSays(page, 'Diterapkan pada');
    await page.screenshot({ path: path.join(os.tmpdir(), 'simpul-geoserver-admin.png') });

    expect(planRows).toBeGreaterThan(5);
    expect(await page.locator('.geoserver-admin__row--done').count()).toBe(planRows);
    expect(geoserver.catalog.layerGroups.size).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows a failed apply, its report at once, the last success after a reload', async () => {
    await browser.clearCookies();
    const { page, pageErrors } = await pageKeepingErrors();
    await logInOnThePage(page);
    await adminPageSays(page, 'Diterapkan pada');
    geoserver.catalog.styles.delete('cilacap/desa');
    geoserver.catalog.layerGroups.delete('cilacap/administrative');

    // The plan's version request passes; the apply's is refused.
    geoserver.addFault({ path: /about\/version/, skip: 1, times: 1, status: 401 });
    await page.getByRole('button', { name: 'Periksa rencana' }).click();
    await page.locator('.geoserver-admin__table').waitFor();
    await page.getByRole('button', { name: 'Terapkan rencana' }).click();
    await adminPageSays(page, 'Gagal saat menanyakan versi GeoServer: GeoServer refused');
    const refused = await page.locator('.geoserver-admin').innerText();
    geoserver.clearFaults();

    // A step fails: after a reload the page still lists what was done and what was not.
    geoserver.addFault({ method: 'POST', path: /\/styles/, status: 500, times: 1 });
    await page.getByRole('button', { name: 'Periksa rencana' }).click();
    await page.locator('.geoserver-admin__table').waitFor();
    await page.getByRole('button', { name: 'Terapkan rencana' }).click();
    await adminPageSays(page, 'Terapkan lagi untuk melanjutkan');
    const failedRowsAtOnce = await page.locator('.geoserver-admin__row--failed').count();
    await page.reload();
    await adminPageSays(page, 'Gagal pada langkah buat style desa: GeoServer refused');
    const stopped = await page.locator('.geoserver-admin').innerText();
    geoserver.clearFaults();

    expect(refused).toMatch(/Hasil terakhir\s+Terhenti karena kegagalan pada .+ oleh admin/);
    expect(refused).toMatch(/Terakhir berhasil: Diterapkan pada .+ oleh admin/);
    expect(failedRowsAtOnce).toBe(1);
    expect(await page.locator('.geoserver-admin__row--failed').count()).toBe(1);
    expect(await page.locator('.geoserver-admin__row--not-done').count()).toBeGreaterThan(0);
    expect(stopped).toMatch(/Terakhir berhasil: Diterapkan pada/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('drops what it read as an administrator at a logout from the app bar', async () => {
    await browser.clearCookies();
    const { page, pageErrors } = await pageKeepingErrors();

    await logInOnThePage(page);
    await adminPageSays(page, 'Diterapkan pada');
    await page.getByRole('button', { name: 'Periksa rencana' }).click();
    await page.locator('.geoserver-admin__counts').waitFor({ timeout: 20000 });
    // the app bar learns of the login made on this page, and logs out from there
    await page.locator('#login-button', { hasText: 'admin' }).click({ timeout: 10000 });
    await page.locator('#login-button', { hasNotText: 'admin' }).waitFor();
    await page.locator('.geoserver-admin__login').waitFor({ timeout: 10000 });

    expect(await page.locator('.geoserver-admin__counts').count()).toBe(0);
    expect(await page.locator('.geoserver-admin').innerText()).not.toContain('Diterapkan pada');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('keeps what was typed in its login form when the language switches', async () => {
    await browser.clearCookies();
    const { page, pageErrors } = await pageKeepingErrors();
    await page.goto(`${server.baseUrl}/#/admin/geoserver`);
    const form = page.locator('.geoserver-admin__login');
    await form.locator('input[name=name]').fill('admin');
    await form.locator('input[name=password]').fill('setengah-diketik');

    try {
      await page.locator('#lang-toggle').click();
      await adminPageSays(page, 'Log in as an administrator');
      const typed = await form.evaluate((node) =>
        [...node.querySelectorAll('input')].map((input) => input.value),
      );

      expect(typed).toEqual(['admin', 'setengah-diketik']);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  });

  it('says in both languages that the server gave no answer, in no browser words', async () => {
    await browser.clearCookies();
    const { page, pageErrors } = await pageKeepingErrors();
    await logInOnThePage(page);
    await adminPageSays(page, 'Hasil terakhir');

    await browser.setOffline(true);
    try {
      await page.getByRole('button', { name: 'Periksa rencana' }).click();
      await adminPageSays(page, 'tidak tersambung ke server');
      const inIndonesian = await page.locator('.geoserver-admin').innerText();
      await page.locator('#lang-toggle').click();
      await adminPageSays(page, 'no connection to the server');
      const inEnglish = await page.locator('.geoserver-admin').innerText();

      expect(inIndonesian).not.toContain('Failed to fetch');
      expect(inEnglish).not.toContain('Failed to fetch');
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.setOffline(false);
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  });
});
