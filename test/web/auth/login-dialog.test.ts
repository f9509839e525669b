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

/** The login dialog's title, its problem line and what is typed in its name field. */
function readDialog(page: Page) {
  return page.locator('.login-dialog').evaluate((dialog) => ({
    title: dialog.querySelector('h2')!.textContent,
    problem: dialog.querySelector('.login-dialog__problem')!.textContent,
    name: dialog.querySelector<HTMLInputElement>('input[name=name]')!.value,
  }));
}

describe('the login dialog', () => {
  it('speaks the language chosen before it opens, its problem line included', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });

    try {
      await page.click('#lang-toggle');
      await page.click('#login-button');
      await page.fill('.login-dialog input[name=name]', 'tamu');
      await page.fill('.login-dialog input[name=password]', 'bukan-sandinya');
      await page.click('.login-dialog button[type=submit]');
      await page.locator('.login-dialog__problem').filter({ hasText: /\S/ }).waitFor();
      const english = await readDialog(page);
      await page.click('.login-dialog button[value=cancel]');
      await page.click('#lang-toggle');
      await page.click('#login-button');
      const indonesian = await readDialog(page);

      expect(english).toEqual({
        title: 'Log in to edit',
        problem: 'Wrong user name or password.',
        name: 'tamu',
      });
      expect(indonesian).toEqual({
        title: 'Masuk untuk menyunting',
        problem: 'Nama pengguna atau kata sandi salah.',
        name: 'tamu',
      });
    } finally {
      await page.evaluate(() => localStorage.removeItem('simpul.language'));
      await page.close();
    }
  });

  it('says the server is unreachable or failing, not that the password was wrong', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
    const problem = page.locator('.login-dialog__problem');
    const tryToLogIn = async () => {
      await page.fill('.login-dialog input[name=name]', 'tamu');
      await page.fill('.login-dialog input[name=password]', 'sandi-yang-benar');
      await page.click('.login-dialog button[type=submit]');
      await problem.filter({ hasText: /\S/ }).waitFor();
      const said = await problem.textContent();
      await page.evaluate(() => {
        document.querySelector('.login-dialog__problem')!.textContent = '';
      });
      return said;
    };

    await page.click('#login-button');
    await page.context().setOffline(true);
    let offline: string | null;
    try {
      offline = await tryToLogIn();
    } finally {
      await page.context().setOffline(false);
    }
    // the database is down: the server answers 503
    await page.route('**/auth/login', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/problems/database-unavailable', status: 503 }),
      }),
    );
    const down = await tryToLogIn();

    expect(offline).toBe('Tidak tersambung ke server. Coba lagi nanti.');
    expect(down).toBe('Server sedang bermasalah. Coba lagi nanti.');
    await page.close();
  });
});
