import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';

const phone = { width: 390, height: 844 };
const password = 'insinyur-di-sawah-2025';

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'insinyur-irigasi', password, roles: ['irrigation:editor'] });
  browser = await launchBrowser(phone);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Whether the element lies wholly inside the window and is what a tap there would reach. */
async function isInReach(page: Page, selector: string) {
  return page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect();
    const inside = box.left >= 0 && box.right <= window.innerWidth;
    const centre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return inside && element.contains(centre);
  });
}

describe('the app bar on a phone', () => {
  it('keeps the login and the language switch in reach without scrolling', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap));
    await page.locator('#login-button').waitFor();

    const loginInReach = await isInReach(page, '#login-button');
    const languageInReach = await isInReach(page, '#lang-toggle');
    await page.locator('#login-button').click();
    await page.locator('.login-dialog input[name=name]').fill('insinyur-irigasi');
    await page.locator('.login-dialog input[name=password]').fill(password);
    await page.locator('.login-dialog button[type=submit]').click();
    await expect.poll(() => page.locator('#login-button').textContent()).toContain('insinyur');

    expect(loginInReach).toBe(true);
    expect(languageInReach).toBe(true);
    expect(await isInReach(page, '#login-button')).toBe(true);
    expect(await isInReach(page, '#lang-toggle')).toBe(true);
    await page.close();
  });
});
