import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';

const password = 'sandi-pupr-yang-panjang';

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  await createUser(server.testDatabase.database.pool, {
    name: 'pupr',
    password,
    roles: ['roads:editor'],
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openMap(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(server.baseUrl);
  await page.locator('#login-button', { hasText: 'Masuk' }).waitFor({ timeout: 20000 });
  return page;
}

describe('tabs of one browser', () => {
  it('follow a login and a logout made in another tab', async () => {
    const first = await openMap();
    const second = await openMap();

    await logInThroughDialog(first, 'pupr', password);

    // the second tab learns of the login without a reload or a request of its own
    await expect
      .poll(() => second.locator('#login-button').innerText(), { timeout: 10000 })
      .toContain('pupr');

    await first.locator('#login-button').click();
    await first.locator('#login-button', { hasText: 'Masuk' }).waitFor();

    await expect
      .poll(() => second.locator('#login-button').innerText(), { timeout: 10000 })
      .toContain('Masuk');
  });
});
