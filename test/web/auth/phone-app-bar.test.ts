import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, logInThroughDialog, type TestBrowser } from '../../support/browser.js';

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

/**
 * Ids or classes of the app bar's buttons that are not wholly inside the window, or that a
 * tap near one of their corners or at their centre would not reach (another lies over it).
 */
async function listButtonsOutOfReach(page: Page) {
  return page.locator('.app-bar button').evaluateAll((buttons) =>
    buttons
      .filter((button) => {
        const box = button.getBoundingClientRect();
        const inside = box.left >= 0 && box.right <= window.innerWidth && box.bottom > 0;
        const inset = 3;
        const points = [
          [box.left + box.width / 2, box.top + box.height / 2],
          [box.left + inset, box.top + inset],
          [box.right - inset, box.top + inset],
          [box.left + inset, box.bottom - inset],
          [box.right - inset, box.bottom - inset],
        ];
        const reached = points.every(([x, y]) =>
          button.contains(document.elementFromPoint(x!, y!)),
        );
        return !inside || !reached;
      })
      .map((button) => button.id || button.className),
  );
}

/**
 * The app bar's buttons in the order the Tab key reaches them from the top of the page, and
 * in the order they are read: row by row from the top, left to right within a row.
 */
async function listTabAndReadingOrder(page: Page) {
  // Tab starts from a button put first in the page for the count, wherever the focus was
  await page.evaluate(() => {
    const start = document.createElement('button');
    start.id = 'tab-start';
    document.body.prepend(start);
    start.focus();
  });
  const tabbed: string[] = [];
  for (let press = 0; press < 20; press += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element?.closest('.app-bar') ? element.id || element.className : null;
    });
    if (focused === null) break;
    tabbed.push(focused);
  }
  await page.evaluate(() => document.querySelector('#tab-start')?.remove());
  const read = await page.locator('.app-bar button').evaluateAll((buttons) =>
    buttons
      .map((button) => ({
        box: button.getBoundingClientRect(),
        name: button.id || button.className,
      }))
      .sort((a, b) => Math.round(a.box.top - b.box.top) || a.box.left - b.box.left)
      .map((button) => button.name),
  );
  return { tabbed, read };
}

describe('the app bar on a phone', () => {
  it('keeps the login and the language switch in reach without scrolling', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap));
    await page.locator('#login-button').waitFor();

    const loginInReach = await isInReach(page, '#login-button');
    const languageInReach = await isInReach(page, '#lang-toggle');
    await logInThroughDialog(page, 'insinyur-irigasi', password);

    expect(loginInReach).toBe(true);
    expect(languageInReach).toBe(true);
    expect(await isInReach(page, '#login-button')).toBe(true);
    expect(await isInReach(page, '#lang-toggle')).toBe(true);
    await page.close();
  });

  it('shows every button whole and uncovered, logged in, in both languages', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap));
    await page.locator('#login-button').waitFor();
    await page.locator('.import-sheet__open').waitFor();

    const asVisitor = await listButtonsOutOfReach(page);
    await logInThroughDialog(page, 'insinyur-irigasi', password);
    const loggedIn = await listButtonsOutOfReach(page);
    await page.locator('#lang-toggle').click();
    await expect.poll(() => page.locator('#lang-toggle').textContent()).toContain('ID');
    const inEnglish = await listButtonsOutOfReach(page);
    await page.evaluate(() => (window.location.hash = '#/admin/geoserver'));
    await page.locator('.geoserver-admin').waitFor();
    const overAdminPage = await listButtonsOutOfReach(page);

    expect(await page.locator('.app-bar button').count()).toBeGreaterThanOrEqual(6);
    expect(asVisitor).toEqual([]);
    expect(loggedIn).toEqual([]);
    expect(inEnglish).toEqual([]);
    expect(overAdminPage).toEqual([]);
    await page.close();
  });

  it('moves the keyboard focus through the buttons in the order they are read', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap));
    await page.locator('.import-sheet__open').waitFor();

    const onPhone = await listTabAndReadingOrder(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    // the tools move before the account when the media query's change event arrives, which
    // can come after the resize returns: count once the page order is the wide screen's
    await page.locator('.app-bar__tools + .app-bar__account').waitFor();
    const onDesktop = await listTabAndReadingOrder(page);

    expect(onPhone.tabbed.length).toBeGreaterThanOrEqual(6);
    expect(onPhone.tabbed).toEqual(onPhone.read);
    expect(onDesktop.tabbed).toEqual(onDesktop.read);
    await page.close();
  });
});
