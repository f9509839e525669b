import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openKml } from '../../../server/formats/read-kml.js';

describe('reading KML', () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-read-kml-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a broken file with its reason, printing nothing of its own', async () => {
    const file = path.join(folder, 'titik.kml');
    fs.writeFileSync(file, '<kml><Document><Placemark><name>Pos</name></Document></kml>');
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const reading = (async () => {
      for await (const feature of openKml(file, 'titik').features()) void feature;
    })();

    await expect(reading).rejects.toMatchObject({ code: 'unreadable-kml' });
    expect(printed).not.toHaveBeenCalled();
  });
});
