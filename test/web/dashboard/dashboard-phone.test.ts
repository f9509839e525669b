import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';

const phone = { width: 390, height: 844 };

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser(phone);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openDashboard(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
  await page.locator('.dashboard__open').click();
  await page.locator('.dashboard__table').waitFor({ timeout: 60000 });
  return page;
}

/** The texts of the table's cells that reach past the right edge of the sheet's content. */
async function listCellsPastRightEdge(page: Page) {
  return page.locator('.dashboard__table-wrap').evaluate((wrap) => {
    const right = wrap.getBoundingClientRect().right;
    return [...wrap.querySelectorAll('th, td')]
      .filter((cell) => cell.getBoundingClientRect().right > right + 0.5)
      .map((cell) => cell.textContent);
  });
}

/** The cells of the table's first row as read on screen: the name shown before, the value. */
async function readFirstRow(page: Page) {
  return page
    .locator('.dashboard__table tbody tr')
    .first()
    .locator('td')
    .evaluateAll((cells) =>
      cells.map((cell) => {
        const before = getComputedStyle(cell, '::before').content;
        const name = before === 'none' ? '' : before.replace(/^"|"$/g, '');
        return `${name} ${cell.textContent}`.trim();
      }),
    );
}

describe('the dashboard on a phone', () => {
  it('shows each exposure table cell within the sheet, named by its column', async () => {
    const page = await openDashboard();
    const cellsPastEdge = await listCellsPastRightEdge(page);
    const indonesian = await readFirstRow(page);
    await page.locator('#lang-toggle').click();
    const english = await readFirstRow(page);

    expect(cellsPastEdge).toEqual([]);
    expect(indonesian[0]).toBe('Bahaya rendah');
    expect(indonesian[1]).toMatch(/^Luas \(ha\) [\d.]+$/);
    expect(indonesian[2]).toMatch(/^Penduduk terpapar \(\d{4}\) [\d.]+$/);
    expect(english[0]).toBe('Low hazard');
    expect(english[1]).toMatch(/^Area \(ha\) [\d,]+$/);
    await page.close();
  });
});
