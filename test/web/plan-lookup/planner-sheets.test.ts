import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientLayers,
  startTestServer,
  type ClientLayer,
  type TestServer,
} from '../../support/app-server.js';
import { launchBrowser, type TestBrowser, waitForMapDrawn } from '../../support/browser.js';
import { toLonLat, toWebMercator } from '../../support/web-mercator.js';

/** The centroid of kecamatan Kroya (33.01.06), about 2.9 km inside its boundary. */
const kroyaInnerPoint: [number, number] = [109.2239, -7.6301];

let server: TestServer;
let browser: TestBrowser;
let sampleLayers: ClientLayer[];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  sampleLayers = (await clientLayers(server)).filter((layer) => layer.metadata.sample);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openMapAt(lonLat: [number, number]): Promise<Page> {
  const page = await browser.context.newPage();
  // each test starts in Indonesian, whatever language the one before left chosen
  await page.addInitScript(() => localStorage.setItem('simpul.language', 'id'));
  await page.goto(server.baseUrl);
  await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });
  await page.evaluate(([x, y]) => {
    window.__simpulMap?.getView().setCenter([x, y]);
    window.__simpulMap?.getView().setZoom(13);
  }, toWebMercator(lonLat));
  return page;
}

/** Opens the plan lookup and asks it about the point at the centre of the map. */
async function askPlanAtCentre(page: Page) {
  await page.locator('.plan-lookup__open').click();
  const box = (await page.locator('#map').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.plan-result').waitFor({ timeout: 15000 });
}

function titlesOf(layerIds: string[], language: 'id' | 'en') {
  return sampleLayers
    .filter((layer) => layerIds.includes(layer.id))
    .map((layer) => (language === 'en' ? layer.titleEn : layer.titleId));
}

describe('the planner sheets beside the map', () => {
  it('shows one sheet at a time, and a click on the map beside it identifies', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const openSheets = () =>
      page
        .locator('.plan-lookup, .dashboard, .import-sheet')
        .evaluateAll((sheets) =>
          (sheets as HTMLElement[]).filter((s) => !s.hidden).map((s) => s.classList[0]),
        );

    await page.locator('.plan-lookup__open').click();
    await page.locator('.dashboard__open').click();
    const overPlan = await openSheets();
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 4, box.y + box.height / 2);
    await page.locator('#identify-popup .identify__attributes').waitFor({ timeout: 10000 });
    await page.locator('.import-sheet__open').click();

    expect(overPlan).toEqual(['dashboard']);
    expect(await openSheets()).toEqual(['import-sheet']);
    await page.close();
  });

  it('closes the plan sheet when measuring starts, ends measuring when it opens', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const planAsked: string[] = [];
    page.on(
      'request',
      (r) => r.url().includes('/analysis/plan-information') && planAsked.push(r.url()),
    );
    const box = (await page.locator('#map').boundingBox())!;
    const tapMap = async (x: number) => {
      await page.mouse.click(box.x + box.width * x, box.y + box.height / 2);
      await page.waitForTimeout(600);
    };

    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-mode').nth(1).click();
    await page.getByRole('button', { name: 'Ukur jarak atau luas' }).click();
    const planWhileMeasuring = await page.locator('.plan-lookup').isVisible();
    await tapMap(0.3);
    await tapMap(0.4);
    const measured = await page.locator('.measure-bar__result').textContent();
    // (the button toggles: a sheet still open is closed first, to open it anew)
    if (planWhileMeasuring) await page.locator('.plan-lookup__close').click();
    await page.locator('.plan-lookup__open').click();
    const measuringWithPlan = await page.locator('.measure-bar').isVisible();
    await page.locator('.plan-mode').first().click();
    await tapMap(0.3);
    const answered = await page
      .locator('.plan-result')
      .waitFor({ timeout: 20000 })
      .then(() => true)
      .catch(() => false);

    expect(planWhileMeasuring).toBe(false);
    expect(measured).toMatch(/^Panjang: [\d,]+ (m|km)$/);
    expect(measuringWithPlan).toBe(false);
    expect(answered).toBe(true);
    expect(planAsked).toHaveLength(1);
    await page.close();
  }, 60000);

  it('opens the popup of a feature beside an open sheet clear of the sheet', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await page.locator('.dashboard__open').click();
    const sheet = (await page.locator('.dashboard').boundingBox())!;
    const map = (await page.locator('#map').boundingBox())!;

    // a feature just left of the sheet, where the popup would open partly under it
    await page.mouse.click(sheet.x - 40, map.y + map.height / 2);
    await page.locator('#identify-popup .identify__attributes').waitFor({ timeout: 10000 });
    await page.waitForFunction(() => !window.__simpulMap!.getView().getAnimating());
    // the popup takes its place in the frame drawn after the pan
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    const popup = (await page.locator('#identify-popup').boundingBox())!;

    expect(popup.x + popup.width).toBeLessThanOrEqual(sheet.x);
    expect(popup.x).toBeGreaterThanOrEqual(map.x);
    await page.close();
  });

  it('takes the focus into a sheet opened from the keyboard and gives it back', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const focusedIn = (selector: string) =>
      page.evaluate((s) => !!document.activeElement?.closest(s), selector);

    const inSheets: boolean[] = [];
    for (const name of ['plan-lookup', 'dashboard', 'import-sheet']) {
      await page.locator(`.${name}__open`).focus();
      await page.keyboard.press('Enter');
      // after the sheet has drawn what it loaded, Tab goes on inside it
      await page.waitForTimeout(1500);
      await page.keyboard.press('Tab');
      inSheets.push(await focusedIn(`.${name}`));
    }
    await page.locator('.import-sheet__close').click();

    expect(inSheets).toEqual([true, true, true]);
    expect(await focusedIn('.import-sheet__open')).toBe(true);
    await page.close();
  });

  it('closes a sheet on Escape, as a dialog or popup, and gives the focus back', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const focusedIn = (selector: string) =>
      page.evaluate((s) => !!document.activeElement?.closest(s), selector);

    const closed: [boolean, boolean][] = [];
    for (const name of ['plan-lookup', 'dashboard', 'import-sheet']) {
      await page.locator(`.${name}__open`).focus();
      await page.keyboard.press('Enter');
      await page.waitForTimeout(1500);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Escape');
      const hidden = await page.locator(`.${name}`).isHidden();
      closed.push([hidden, await focusedIn(`.${name}__open`)]);
    }

    expect(closed).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
    await page.close();
  });

  it('closes the dashboard on a phone when the panel is opened over it', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });

    await page.locator('.dashboard__open').click();
    await page.locator('#panel-toggle').click();

    expect(await page.locator('.dashboard').isVisible()).toBe(false);
    expect(await page.locator('#panel').isVisible()).toBe(true);
    await page.close();
  });

  it('asks about the place under the cross from the keyboard, in both languages', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const asked: [number, number][] = [];
    page.on('request', (request) => {
      if (!request.url().includes('/analysis/plan-information')) return;
      asked.push(
        (request.postDataJSON() as { geometry: { coordinates: [number, number] } }).geometry
          .coordinates,
      );
    });
    const underCross = async () => {
      const cross = (await page.locator('.plan-crosshair').boundingBox())!;
      const map = (await page.locator('#map').boundingBox())!;
      const pixel = [cross.x + cross.width / 2 - map.x, cross.y + cross.height / 2 - map.y];
      const at = await page.evaluate(
        (p) => window.__simpulMap!.getCoordinateFromPixel(p) as [number, number],
        pixel,
      );
      return { lonLat: toLonLat(at), right: cross.x + cross.width / 2 };
    };
    const isFocused = (name: string) =>
      page.getByRole('button', { name }).evaluate((node) => node === document.activeElement);

    await page.locator('.plan-lookup__open').focus();
    await page.keyboard.press('Enter');
    const ask = page.getByRole('button', { name: 'Tanyakan pusat peta' });
    await ask.waitFor({ timeout: 10000 });
    for (let tab = 0; tab < 8 && !(await isFocused('Tanyakan pusat peta')); tab += 1) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.locator('.plan-result').waitFor({ timeout: 15000 });
    const focusKept = await isFocused('Tanyakan pusat peta');
    const first = await underCross();
    const drawn = await page
      .locator('.plan-crosshair')
      .evaluate((node) => [getComputedStyle(node).backgroundImage, node.clientWidth]);
    const sheet = (await page.locator('.plan-lookup').boundingBox())!;

    // the focused map: an arrow key moves it, Enter asks about the place now under the cross
    await page.locator('#map').focus();
    const centre: number = await page.evaluate(
      () => window.__simpulMap!.getView().getCenter()![0]!,
    );
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((before: number) => {
      const view = window.__simpulMap!.getView();
      return !view.getAnimating() && view.getCenter()![0]! < before;
    }, centre);
    await page.keyboard.press('Enter');
    await expect.poll(() => asked.length).toBe(2);
    const second = await underCross();
    await page.locator('#lang-toggle').click();

    expect(focusKept).toBe(true);
    expect(drawn).toEqual([expect.stringContaining('rgb(31, 78, 121)'), 24]);
    expect(first.right).toBeLessThan(sheet.x);
    expect(asked[0]![0]).toBeCloseTo(first.lonLat[0], 6);
    expect(asked[0]![1]).toBeCloseTo(first.lonLat[1], 6);
    expect(second.lonLat[0]).toBeLessThan(first.lonLat[0]);
    expect(asked[1]![0]).toBeCloseTo(second.lonLat[0], 6);
    expect(asked[1]![1]).toBeCloseTo(second.lonLat[1], 6);
    const english = page.getByRole('button', { name: 'Ask about the map centre' });
    expect(await english.isVisible()).toBe(true);
    const map = page.getByRole('application', { name: 'Map: move it with the arrow keys' });
    expect(await map.evaluate((node) => node.id, null, { timeout: 5000 })).toBe('map');
    await page.close();
  });

  it('shows the dashboard opened over the plan sheet on a phone, the panel folded', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.baseUrl);
    await page.waitForFunction(() => Boolean(window.__simpulMap), null, { timeout: 20000 });

    await page.locator('#panel-toggle').click();
    await page.locator('.plan-lookup__open').click();
    await page.locator('.dashboard__open').click();

    expect(await page.locator('.dashboard').isVisible()).toBe(true);
    expect(await page.locator('.plan-lookup').isVisible()).toBe(false);
    expect(await page.locator('#panel').isVisible()).toBe(false);
    await page.close();
  });

  it('names the ITR button and explains its letters, in both languages', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    const button = page.locator('.plan-lookup__open');
    const describe = () =>
      button.evaluate((node: HTMLButtonElement) => ({
        text: node.textContent?.trim(),
        name: node.getAttribute('aria-label'),
        tooltip: node.title,
      }));

    const indonesian = await describe();
    await page.locator('#lang-toggle').click();
    const english = await describe();

    // the visible letters begin the accessible name, so "click ITR" works by voice as well
    expect(indonesian).toEqual({
      text: 'ITR',
      name: 'ITR, Informasi Tata Ruang',
      tooltip:
        'ITR, Informasi Tata Ruang: zona rencana tata ruang dan aturan kegiatan di satu tempat',
    });
    expect(english).toEqual({
      text: 'ITR',
      name: 'ITR, spatial plan information (Informasi Tata Ruang)',
      tooltip: 'ITR (Informasi Tata Ruang): the spatial plan zone and activity rules of a place',
    });
    await page.close();
  });

  it('keeps the activity picker inside the plan sheet in English', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await page.locator('.plan-lookup__open').click();
    await page.locator('.plan-activity option:nth-child(2)').waitFor({ state: 'attached' });

    await page.locator('#lang-toggle').click();
    const sheet = page.locator('.plan-lookup');
    const overflow = await sheet.evaluate((node) => node.scrollWidth - node.clientWidth);
    const picker = (await page.locator('.plan-activity').boundingBox())!;
    const header = (await page.locator('.plan-lookup__header').boundingBox())!;

    expect(overflow).toBe(0);
    expect(picker.x + picker.width).toBeLessThanOrEqual(header.x + header.width);
    await page.close();
  });

  it('says the plan answer was read from invented sample data, in both languages', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await askPlanAtCentre(page);
    const note = page.locator('.plan-lookup .sample-note');

    const indonesian = await note.textContent();
    await page.locator('#lang-toggle').click();
    const english = await note.textContent();

    const planLayers = titlesOf(['plan_zone', 'hazard_zone'], 'id');
    expect(planLayers.length).toBeGreaterThan(0);
    expect(indonesian).toMatch(/^Dihitung dari data contoh buatan, bukan data resmi: /);
    for (const title of planLayers) expect(indonesian).toContain(title);
    expect(english).toMatch(/^Computed from invented sample data, not official data: /);
    for (const title of titlesOf(['plan_zone', 'hazard_zone'], 'en'))
      expect(english).toContain(title);
    await page.close();
  });

  it('narrows the road statistics and their CSV to the roads of one status', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await page.locator('.dashboard__open').click();
    await page.locator('.dashboard__tab').nth(1).click();
    const regencyRow = page.locator('.dashboard__table--total tbody tr').last();
    await regencyRow.waitFor({ timeout: 30000 });
    const allRoads = await regencyRow.textContent();

    await page.locator('.dashboard__status').selectOption('kabupaten');
    await expect.poll(() => regencyRow.textContent(), { timeout: 15000 }).not.toBe(allRoads);

    expect(await page.locator('.dashboard__status').inputValue()).toBe('kabupaten');
    expect(await page.locator('.dashboard__csv').getAttribute('href')).toBe(
      '/analysis/road-condition?f=csv&status=kabupaten',
    );
    await page.close();
  });

  // The first exposure answer overlays every hazard zone with every desa: seconds, not less.
  it('says each dashboard was computed from invented sample data', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await page.locator('.dashboard__open').click();
    const notes: string[] = [];

    for (const tab of await page.locator('.dashboard__tab').all()) {
      await tab.click();
      await page.locator('.dashboard__chart canvas').first().waitFor({ timeout: 60000 });
      notes.push((await page.locator('.dashboard .sample-note').textContent()) ?? '');
    }

    expect(notes).toHaveLength(3);
    expect(notes[0]).toContain(titlesOf(['hazard_zone'], 'id')[0]);
    expect(notes[1]).toContain(titlesOf(['road_segment'], 'id')[0]);
    expect(notes[2]).toContain(titlesOf(['irrigation_canal'], 'id')[0]);
    await page.close();
  }, 120000);

  it('says offline in the plan sheet and the dashboard, in both languages', async () => {
    const page = await openMapAt(kroyaInnerPoint);
    await waitForMapDrawn(page);
    const said: string[] = [];
    await page.context().setOffline(true);
    try {
      await page.locator('.plan-lookup__open').click();
      await page.locator('.plan-ask-centre').click();
      const planFailed = page.locator('.plan-status--failed');
      await planFailed.waitFor({ timeout: 10000 });
      said.push(await planFailed.innerText());
      await page.locator('.dashboard__open').click();
      const dashboardFailed = page.locator('.dashboard__failed');
      await dashboardFailed.waitFor({ timeout: 10000 });
      said.push(await dashboardFailed.innerText());
      await page.locator('#lang-toggle').click();
      said.push(await dashboardFailed.innerText());
      await page.locator('.plan-lookup__open').click();
      said.push(await planFailed.innerText());
    } finally {
      await page.context().setOffline(false);
    }

    expect(said).toEqual([
      'Informasi tidak dapat dihitung: tidak tersambung ke server; coba lagi nanti.',
      'Statistik tidak dapat dimuat: tidak tersambung ke server; coba lagi nanti.',
      'The statistics could not be loaded: no connection to the server; try again later.',
      'The information could not be computed: no connection to the server; try again later.',
    ]);
    await page.close();
  });
});
