import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientLayers,
  startTestServer,
  type ClientLayer,
  type TestServer,
} from '../../support/app-server.js';
import { launchBrowser, type TestBrowser } from '../../support/browser.js';

let server: TestServer;
let browser: TestBrowser;
let layers: ClientLayer[];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  layers = await clientLayers(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the export choices of the import and export sheet', () => {
  it('marks the layers of invented sample data, in Indonesian and in English', async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap));
    await page.locator('.import-sheet__open').click();
    const options = page.locator('.import-sheet select').first().locator('option');

    const indonesian = await options.allTextContents();
    await page.locator('#lang-toggle').click();
    const english = await options.allTextContents();

    const sample = layers.filter((l) => l.metadata.sample);
    const real = layers.filter((l) => !l.metadata.sample);
    expect(sample.length).toBeGreaterThan(0);
    for (const layer of sample) {
      expect(indonesian).toContain(`${layer.titleId} (contoh)`);
      expect(english).toContain(`${layer.titleEn} (sample)`);
    }
    for (const layer of real) expect(indonesian).toContain(layer.titleId);
    await page.close();
  });
});
