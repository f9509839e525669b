import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../server/services/account-service.js';
import { startTestServer, type TestServer } from '../../support/app-server.js';
import { chromiumOptions, logInThroughDialog } from '../../support/browser.js';

/** A phone held on its side: 844 × 390 CSS pixels, a touch screen. */
const phoneOnItsSide = { width: 844, height: 390 };
const password = 'jalan-kabupaten-2026';

let server: TestServer;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  server = await startTestServer();
  const pool = server.testDatabase.database.pool;
  await createUser(pool, { name: 'bina-marga', password, roles: ['roads:editor'] });
  profileDir = await mkdtemp(path.join(os.tmpdir(), 'simpul-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    ...chromiumOptions(phoneOnItsSide),
    hasTouch: true,
    isMobile: true,
  });
});

afterAll(async () => {
  await context?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await server?.close();
});

async function openMap(): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap?.getSize()), null, {
    timeout: 20000,
  });
  return page;
}

const widthOf = async (page: Page, selector: string) =>
  (await page.locator(selector).boundingBox())?.width ?? 0;

describe('the web map on a phone held on its side', () => {
  it('starts with the whole width for the map, the panel over its edge opened', async () => {
    const page = await openMap();
    const panelAtStart = await page.locator('#panel').isVisible();
    const mapAtStart = await widthOf(page, '#map');

    await page.locator('#panel-toggle').tap();
    const panel = (await page.locator('#panel').boundingBox())!;
    const mapWithPanel = await widthOf(page, '#map');

    expect(panelAtStart).toBe(false);
    expect(mapAtStart).toBe(phoneOnItsSide.width);
    // over the map, not beside it: the map keeps its width under the panel
    expect(mapWithPanel).toBe(phoneOnItsSide.width);
    expect(panel.width).toBeLessThanOrEqual(phoneOnItsSide.width / 3);
    expect(panel.y + panel.height).toBeLessThanOrEqual(phoneOnItsSide.height);
    await page.close();
  });

  it('frames the regency again when the phone turns before the map was moved', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap?.getSize()), null, {
      timeout: 20000,
    });
    const view = () =>
      page.evaluate(() => {
        const shown = window.__simpulMap!.getView();
        return { center: shown.getCenter()!, resolution: shown.getResolution()! };
      });

    await page.setViewportSize(phoneOnItsSide);
    await page.waitForFunction((width) => window.__simpulMap!.getSize()?.[0] === width, 844);
    await page.waitForTimeout(300);
    const turned = await view();
    await page.locator('.ol-zoom-extent button').tap();
    await page.waitForTimeout(300);
    const framed = await view();

    expect(turned.resolution).toBeCloseTo(framed.resolution, 3);
    expect(Math.abs(turned.center[0]! - framed.center[0]!)).toBeLessThan(framed.resolution);
    expect(Math.abs(turned.center[1]! - framed.center[1]!)).toBeLessThan(framed.resolution);
    await page.close();
  });

  it('folds the panel for a tool sheet, which leaves half of the map in view', async () => {
    const page = await openMap();
    await page.locator('#panel-toggle').tap();

    const inView: Record<string, number> = {};
    for (const [open, sheet] of [
      ['.plan-lookup__open', '.plan-lookup'],
      ['.dashboard__open', '.dashboard'],
      ['.import-sheet__open', '.import-sheet'],
    ] as const) {
      await page.locator(open).tap();
      const box = (await page.locator(sheet).boundingBox())!;
      inView[sheet] = box.x / phoneOnItsSide.width;
    }
    const panelWithSheets = await page.locator('#panel').isVisible();
    await page.locator('#panel-toggle').tap();
    const sheetWithPanel = await page.locator('.import-sheet').isVisible();

    expect(panelWithSheets).toBe(false);
    for (const share of Object.values(inView)) expect(share).toBeGreaterThanOrEqual(0.45);
    expect(sheetWithPanel).toBe(false);
    await page.close();
  });

  it('frames a road found clear of the panel, and edits it beside the panel', async () => {
    const page = await openMap();
    await page.locator('#panel-toggle').tap();
    await logInThroughDialog(page, 'bina-marga', password, { tap: true });
    const roadsEditable = page.locator('#edit-layer option[value="road_segment"]');
    await roadsEditable.waitFor({ state: 'attached' });

    await page.locator('.search__input').fill('N.005.2');
    await page.locator('.search__result').first().tap();
    await page.waitForFunction(() => {
      const map = window.__simpulMap!;
      const outline = map.getAllLayers().find((layer) => layer.get('id') === 'search-outline');
      const source = outline?.getSource() as unknown as { getFeatures(): unknown[] };
      const found = source.getFeatures();
      return found.length > 0 && !map.getView().getAnimating();
    });
    const foundLeft = await page.evaluate(() => {
      const map = window.__simpulMap!;
      const outline = map.getAllLayers().find((layer) => layer.get('id') === 'search-outline')!;
      const extent = (outline.getSource() as unknown as { getExtent(): number[] }).getExtent();
      return map.getPixelFromCoordinate([extent[0]!, extent[1]!])[0]!;
    });
    await page.locator('#edit-layer').selectOption('road_segment');
    const toolbar = page.locator('.edit-toolbar');
    await toolbar.waitFor();
    const panel = (await page.locator('#panel').boundingBox())!;
    const tools = (await toolbar.boundingBox())!;

    expect(foundLeft).toBeGreaterThanOrEqual(panel.x + panel.width);
    expect(tools.x).toBeGreaterThanOrEqual(panel.x + panel.width);
    expect(tools.x + tools.width).toBeLessThanOrEqual(phoneOnItsSide.width);
    await page.close();
  });
});
