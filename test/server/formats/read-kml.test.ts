import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import yazl from 'yazl';
import { openKml } from '../../../server/formats/read-kml.js';
import { openSourceFile } from '../../../server/formats/source-file.js';
import { ImportApiError } from '../../../web/api/import-api.js';
import { describeRefusal } from '../../../web/import/import-messages.js';

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

  it('refuses a broken file naming the line it breaks on, counted from 1', async () => {
    const file = path.join(folder, 'titik.kml');
    const broken = '<kml><Document><Placemark><name>Pos</name></Document></kml>';
    fs.writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n${broken}\n`);

    const reading = (async () => {
      for await (const feature of openKml(file, 'titik').features()) void feature;
    })();

    await expect(reading).rejects.toMatchObject({
      code: 'unreadable-kml',
      message:
        'The KML file cannot be read: </Document> where <Placemark> is not closed at line 2, ' +
        'column 53.',
    });
  });

  it('refuses a file holding no element, as cut off before its root', async () => {
    const file = path.join(folder, 'titik.kml');
    fs.writeFileSync(file, '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Google Earth -->\n');

    const reading = (async () => {
      for await (const feature of openKml(file, 'titik').features()) void feature;
    })();

    await expect(reading).rejects.toMatchObject({
      code: 'unreadable-kml',
      message: 'The KML file cannot be read: it holds no element (no <kml> root).',
    });
  });

  it('refuses a Point of two positions naming its placemark, rather than keep one', async () => {
    const file = path.join(folder, 'titik.kml');
    const point = (name: string, coordinates: string) =>
      `<Placemark><name>${name}</name><Point><coordinates>${coordinates}</coordinates></Point>` +
      '</Placemark>';
    const placemarks = [
      point('Pos', '109.2456, -7.6329'),
      point('Dua', '109.2456,-7.6329,0\n  109.25,-7.64,0'),
    ];
    fs.writeFileSync(file, `<kml><Document>${placemarks.join('')}</Document></kml>`);

    const names: unknown[] = [];
    const reading = (async () => {
      for await (const feature of openKml(file, 'titik').features()) {
        names.push(feature.properties.name);
      }
    })();

    await expect(reading).rejects.toMatchObject({
      code: 'kml-point-positions',
      params: { row: 2, name: 'Dua', positions: 2 },
    });
    expect(names).toEqual(['Pos']);
  });

  it('reads a MultiGeometry of one kind of part as a Multi geometry, as GDAL writes', async () => {
    const file = path.join(folder, 'bagian.kml');
    const polygon = (x: number) =>
      '<Polygon><outerBoundaryIs><LinearRing><coordinates>' +
      `${x},-7.6 ${x + 0.01},-7.6 ${x + 0.01},-7.61 ${x},-7.6` +
      '</coordinates></LinearRing></outerBoundaryIs></Polygon>';
    const line = (x: number) =>
      `<LineString><coordinates>${x},-7.6 ${x},-7.7</coordinates></LineString>`;
    const point = (x: number) => `<Point><coordinates>${x},-7.6</coordinates></Point>`;
    const multi = (...parts: string[]) => `<MultiGeometry>${parts.join('')}</MultiGeometry>`;
    const placemarks = [
      multi(polygon(109), polygon(109.1)),
      multi(line(109), multi(line(109.1), line(109.2))),
      multi(point(109), point(109.1)),
      multi(point(109), line(109.1)),
    ].map((geometry) => `<Placemark>${geometry}</Placemark>`);
    fs.writeFileSync(file, `<kml><Document>${placemarks.join('')}</Document></kml>`);

    const geometries: unknown[] = [];
    for await (const feature of openKml(file, 'bagian').features()) {
      const { type } = feature.geometry!;
      const coordinates = 'coordinates' in feature.geometry! ? feature.geometry.coordinates : [];
      geometries.push({ type, parts: type.startsWith('Multi') ? coordinates.length : undefined });
    }

    expect(geometries).toEqual([
      { type: 'MultiPolygon', parts: 2 },
      { type: 'MultiLineString', parts: 3 },
      { type: 'MultiPoint', parts: 2 },
      // points and a line together fit no layer: left for the import to refuse, as they are
      { type: 'GeometryCollection', parts: undefined },
    ]);
  });

  // A 150 MB KML of small placemarks (about a million elements) took the server past its 4 GB
  // heap as it parsed it whole; then files of more than 300,000 elements were refused.
  // 45,000 placemarks of 7 elements each: past that limit, and a document whole in memory
  // would need some 500 MB where the reader here is given 48.
  it('reads a file of many placemarks in the memory of a few, streaming it', async () => {
    const file = path.join(folder, 'banyak.kml');
    writeWells(file, 45000);

    let rows = 0;
    const source = openKml(file, 'banyak', [], { readerHeapMb: 48 });
    for await (const feature of source.features()) {
      if (feature.properties.kode === `K${rows}`) rows += 1;
    }

    expect(rows).toBe(45000);
  }, 120_000);

  /** A KML of `count` well placemarks with two ExtendedData fields each. */
  function writeWells(file: string, count: number) {
    const placemark = (i: number) =>
      `<Placemark><name>Sumur ${i}</name><ExtendedData><Data name="kode"><value>K${i}</value>` +
      `</Data></ExtendedData><Point><coordinates>109.${1000 + (i % 8000)},-7.6329</coordinates>` +
      '</Point></Placemark>';
    const placemarks = Array.from({ length: count }, (_, i) => placemark(i)).join('');
    fs.writeFileSync(file, `<kml><Document>${placemarks}</Document></kml>`);
  }

  // Parsing is synchronous: on the server's main thread, 33,000 placemarks stalled every other
  // request of the process for 4.2 s, the whole of the read.
  it('reads a large file while the thread reading it goes on answering others', async () => {
    const file = path.join(folder, 'sumur.kml');
    writeWells(file, 15000);
    let last = performance.now();
    let longestStall = 0;
    const ticks = setInterval(() => {
      longestStall = Math.max(longestStall, performance.now() - last);
      last = performance.now();
    }, 5);

    const started = performance.now();
    let rows = 0;
    try {
      for await (const feature of openKml(file, 'sumur').features()) {
        if (feature.properties.kode === `K${rows}`) rows += 1;
      }
    } finally {
      clearInterval(ticks);
    }
    longestStall = Math.max(longestStall, performance.now() - last);

    expect(rows).toBe(15000);
    expect(longestStall).toBeLessThan((performance.now() - started) / 4);
  });

  it('refuses a placemark needing more memory than its reader may take, naming it', async () => {
    const file = path.join(folder, 'sumur.kml');
    const positions = Array.from({ length: 1500000 }, (_, i) => `109.${i},-7.6${i}`).join(' ');
    const line = `<LineString><coordinates>${positions}</coordinates></LineString>`;
    fs.writeFileSync(file, `<kml><Document><Placemark>${line}</Placemark></Document></kml>`);

    const reading = (async () => {
      const source = openKml(file, 'sumur', [], { readerHeapMb: 16 });
      for await (const feature of source.features()) void feature;
    })();

    await expect(reading).rejects.toMatchObject({
      code: 'file-too-large',
      params: { code: 'too-much-memory', maxMb: 16 },
    });
    const refusal = new ImportApiError(400, 'server text', {
      type: '/problems/file-too-large',
      code: 'too-much-memory',
      maxMb: 16,
    });
    expect(describeRefusal(refusal)).toMatch(
      /^Satu placemark berkas KML ini memerlukan lebih dari 16 MB/,
    );
  });

  it('stops reading at a cancel, with the reason given for it', async () => {
    const file = path.join(folder, 'sumur.kml');
    writeWells(file, 15000);
    const cancel = new AbortController();
    const rows: unknown[] = [];

    const reading = (async () => {
      for await (const feature of openKml(file, 'sumur').features(cancel.signal)) {
        rows.push(feature);
      }
    })();
    setTimeout(() => cancel.abort(new Error('dibatalkan')), 50);

    await expect(reading).rejects.toThrow('dibatalkan');
    expect(rows.length).toBeLessThan(15000);
  });

  // Each placemark is read apart from its document: what togeojson took from the document
  // (the Schema typing SchemaData, the namespaces of the root) must still reach it.
  it('reads each placemark in its document: schema types, namespaces, overlays last', async () => {
    const file = path.join(folder, 'pos.kml');
    const root =
      '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">';
    const schema =
      '<Schema id="pos" name="pos"><SimpleField name="kapasitas" type="int"/></Schema>';
    const overlay =
      '<GroundOverlay><name>Foto udara</name><LatLonBox><north>-7.6</north>' +
      '<south>-7.7</south><east>109.3</east><west>109.2</west></LatLonBox></GroundOverlay>';
    const placemark = (name: string, capacity: number) =>
      `<Placemark><name>${name}</name><ExtendedData><SchemaData schemaUrl="#pos">` +
      `<SimpleData name="kapasitas">${capacity}</SimpleData></SchemaData></ExtendedData>` +
      '<Point><gx:drawOrder>1</gx:drawOrder><coordinates>109.2456,-7.6329</coordinates>' +
      '</Point></Placemark>';
    const folderOf = `<Folder><name>Kroya</name>${placemark('Pos B', 80)}</Folder>`;
    const body = `${schema}${placemark('Pos A', 250)}${overlay}${folderOf}`;
    fs.writeFileSync(file, `${root}<Document>${body}</Document></kml>`);

    const read: unknown[] = [];
    for await (const feature of openKml(file, 'pos').features()) {
      read.push([feature.properties.name, feature.properties.kapasitas, feature.geometry?.type]);
    }

    expect(read).toEqual([
      ['Pos A', 250, 'Point'],
      ['Pos B', 80, 'Point'],
      ['Foto udara', undefined, 'Polygon'],
    ]);
  });

  // xmldom, reading the whole document, took these as written; the streaming parser refused
  // the file at the first of them, though the structure it cuts placemarks by is sound.
  it('reads a bare ampersand, an unknown entity and an unquoted attribute as before', async () => {
    const file = path.join(folder, 'jalan.kml');
    const placemark =
      '<Placemark id=p1><name>Jl. Sudirman & Gatot &nbsp; &#xZZ;</name>' +
      '<Point><coordinates>109.2456,-7.6329</coordinates></Point></Placemark>';
    fs.writeFileSync(file, `<kml><Document>${placemark}</Document></kml>\n\0\0`);

    const names: unknown[] = [];
    for await (const feature of openKml(file, 'jalan').features()) {
      names.push(feature.properties.name);
    }

    expect(names).toEqual(['Jl. Sudirman & Gatot &nbsp; &#xZZ;']);
  });

  // xmldom read a `<` that starts no tag as text; sax took `< b` for a tag and refused the file
  it('reads a bare < in text as before, and one in CDATA or a comment as written', async () => {
    const file = path.join(folder, 'banding.kml');
    const placemark = (name: string, description: string) =>
      `<Placemark><name>${name}</name><description>${description}</description>` +
      '<Point><coordinates>109.2456,-7.6329</coordinates></Point></Placemark>';
    const head = '<kml><Document>';
    const first = placemark('a < b', 'x <5, x<=5');
    // the CDATA of the second starts 4 characters before the end of the reader's first chunk
    const cdataAt = 256 * 1024 - 4;
    const opening = '<Placemark><name>c</name><description>';
    const padding = ' '.repeat(cdataAt - head.length - first.length - opening.length);
    const second = placemark('c', '<![CDATA[p < q &lt;]]><!-- r < s -->');
    const body = `${head}${first}${padding}${second}${placemark('d <= e', 'f')}`;
    fs.writeFileSync(file, `${body}</Document></kml>`);

    const read: unknown[] = [];
    for await (const feature of openKml(file, 'banding').features()) {
      read.push([feature.properties.name, feature.properties.description]);
    }

    expect(body.indexOf('<![CDATA[')).toBe(cdataAt);
    expect(read).toEqual([
      ['a < b', 'x <5, x<=5'],
      ['c', { '@type': 'html', value: 'p < q &lt;' }],
      ['d <= e', 'f'],
    ]);
  });

  it('refuses two KML documents run together in one file, as one document read whole', async () => {
    const file = path.join(folder, 'dua.kml');
    const placemark = '<Placemark><Point><coordinates>109.2,-7.6</coordinates></Point></Placemark>';
    fs.writeFileSync(file, `<kml><Document>${placemark}</Document></kml>`.repeat(2));

    const reading = (async () => {
      for await (const feature of openKml(file, 'dua').features()) void feature;
    })();

    await expect(reading).rejects.toMatchObject({ code: 'unreadable-kml' });
  });

  // Google Earth writes every style once in the Document, the placemarks naming it by
  // styleUrl (its own lines through a StyleMap and a gx:CascadingStyle): togeojson gives the
  // style as properties, as it does a style written in the placemark.
  it('gives a placemark the shared style it names, as one written inside it', async () => {
    const file = path.join(folder, 'jalan.kml');
    const root =
      '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"' +
      ' xmlns:kml="http://www.opengis.net/kml/2.2">';
    const styles =
      '<gx:CascadingStyle kml:id="__managed_style_1"><Style><LineStyle><color>ff0000ff</color>' +
      '<width>4</width></LineStyle></Style></gx:CascadingStyle>' +
      '<StyleMap id="__managed_style_0"><Pair><key>normal</key>' +
      '<styleUrl>#__managed_style_1</styleUrl></Pair></StyleMap>' +
      '<Style id="sumur"><IconStyle><scale>1.2</scale><Icon><href>sumur.png</href></Icon>' +
      '</IconStyle></Style>';
    const placemarks =
      '<Placemark><name>Jalan</name><styleUrl>#__managed_style_0</styleUrl>' +
      '<LineString><coordinates>109.2,-7.6 109.3,-7.6</coordinates></LineString></Placemark>' +
      '<Placemark><name>Sumur</name><styleUrl>#sumur</styleUrl>' +
      '<Point><coordinates>109.2,-7.6</coordinates></Point></Placemark>' +
      '<Placemark><name>Pos</name><Style><IconStyle><scale>2</scale></IconStyle></Style>' +
      '<Point><coordinates>109.2,-7.6</coordinates></Point></Placemark>';
    fs.writeFileSync(
      file,
      `${root}<Document>${styles}<Folder>${placemarks}</Folder></Document></kml>`,
    );

    const read: unknown[] = [];
    for await (const feature of openKml(file, 'jalan').features()) read.push(feature.properties);

    expect(read).toEqual([
      { name: 'Jalan', stroke: '#ff0000', 'stroke-opacity': 1, 'stroke-width': 4 },
      { name: 'Sumur', icon: 'sumur.png', 'icon-scale': 1.2 },
      { name: 'Pos', 'icon-scale': 2 },
    ]);
  });

  it('gives a placemark a shared style written after it, as read whole', async () => {
    const file = path.join(folder, 'sumur.kml');
    const placemark =
      '<Placemark><name>Sumur</name><styleUrl>#sumur</styleUrl>' +
      '<Point><coordinates>109.2,-7.6</coordinates></Point></Placemark>';
    const style =
      '<StyleMap id="sumur"><Pair><key>normal</key><styleUrl>#sumur-biasa</styleUrl></Pair>' +
      '</StyleMap><Style id="sumur-biasa"><IconStyle><scale>1.2</scale></IconStyle></Style>';
    fs.writeFileSync(file, `<kml><Document>${placemark}${style}</Document></kml>`);

    const read: unknown[] = [];
    for await (const feature of openKml(file, 'sumur').features()) read.push(feature.properties);

    expect(read).toEqual([{ name: 'Sumur', 'icon-scale': 1.2 }]);
  });

  it('types SchemaData by a Schema written after the placemarks, as read whole', async () => {
    const file = path.join(folder, 'pos.kml');
    const placemark = (name: string, capacity: number) =>
      `<Placemark><name>${name}</name><ExtendedData><SchemaData schemaUrl="#pos">` +
      `<SimpleData name="kapasitas">${capacity}</SimpleData></SchemaData></ExtendedData>` +
      '<Point><coordinates>109.2456,-7.6329</coordinates></Point></Placemark>';
    const schema =
      '<Schema id="pos" name="pos"><SimpleField name="kapasitas" type="int"/></Schema>';
    const body = `${placemark('Pos A', 250)}${placemark('Pos B', 80)}${schema}`;
    fs.writeFileSync(file, `<kml><Document>${body}</Document></kml>`);

    const read: unknown[] = [];
    for await (const feature of openKml(file, 'pos').features()) {
      read.push(feature.properties.kapasitas);
    }

    expect(read).toEqual([250, 80]);
  });

  it('reads a placemark whose description or comment holds tags of its own', async () => {
    const file = path.join(folder, 'uraian.kml');
    const html = '<![CDATA[' + '<br>'.repeat(300001) + ']]>';
    const comment = '<!--' + '<a>'.repeat(300001) + '-->';
    const placemark =
      `<Placemark><name>Pos</name><description>${html}</description>${comment}` +
      '<Point><coordinates>109.2456,-7.6329</coordinates></Point></Placemark>';
    fs.writeFileSync(file, `<kml><Document>${placemark}</Document></kml>`);

    const names: unknown[] = [];
    for await (const feature of openKml(file, 'uraian').features()) {
      names.push(feature.properties.name);
    }

    expect(names).toEqual(['Pos']);
  });
});

/** A KML document of placemarks named `names` at Kroya, then `links` as NetworkLinks. */
function kmlDocument(names: string[], links: string[] = []) {
  const placemarks = names.map(
    (name, i) =>
      `<Placemark><name>${name}</name>` +
      `<Point><coordinates>${109.2456 + i * 0.001},-7.6329</coordinates></Point></Placemark>`,
  );
  const networkLinks = links.map(
    (href) => `<NetworkLink><name>${href}</name><Link><href>${href}</href></Link></NetworkLink>`,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">' +
    `<Document>${[...placemarks, ...networkLinks].join('')}</Document></kml>`
  );
}

describe('reading a KMZ', () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'simpul-read-kmz-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** A KMZ of these entries (archive path, KML text), in this order. */
  const writeKmz = async (name: string, entries: [string, string][]) => {
    const zip = new yazl.ZipFile();
    for (const [entry, text] of entries) zip.addBuffer(Buffer.from(text), entry);
    zip.end();
    const file = path.join(folder, name);
    await pipeline(zip.outputStream, fs.createWriteStream(file));
    return file;
  };

  /** The rows of the KMZ's one layer: row number and placemark name. */
  const readRows = async (file: string) => {
    const source = await openSourceFile(file, path.basename(file));
    try {
      const rows: [number, unknown][] = [];
      const opened = await source.open(undefined);
      for await (const feature of opened.features()) {
        rows.push([feature.rowNumber, feature.properties.name]);
      }
      return rows;
    } finally {
      await source.close();
    }
  };

  it('reads the placemarks of the KML files its doc.kml links to inside it', async () => {
    const file = await writeKmz('posko.kmz', [
      ['doc.kml', kmlDocument(['Posko utama'], ['files/titik.kml', 'files/lagi.kml'])],
      ['files/titik.kml', kmlDocument(['Titik A', 'Titik B'], ['../doc.kml'])],
      ['files/lagi.kml', kmlDocument(['Titik C'])],
    ]);

    const rows = await readRows(file);

    expect(rows).toEqual([
      [1, 'Posko utama'],
      [2, 'Titik A'],
      [3, 'Titik B'],
      [4, 'Titik C'],
    ]);
  });

  it('reads doc.kml first, wherever the archive lists it', async () => {
    const file = await writeKmz('posko.kmz', [
      ['files/titik.kml', kmlDocument(['Titik A'])],
      ['doc.kml', kmlDocument(['Posko'], ['files/titik.kml'])],
    ]);

    expect(await readRows(file)).toEqual([
      [1, 'Posko'],
      [2, 'Titik A'],
    ]);
  });

  it('refuses a link to a web address, naming it, and fetches nothing', async () => {
    const link = 'https://example.org/titik.kml';
    const file = await writeKmz('posko.kmz', [['doc.kml', kmlDocument(['Posko'], [link])]]);
    const fetched = vi.spyOn(globalThis, 'fetch');

    const reading = readRows(file);

    await expect(reading).rejects.toMatchObject({
      code: 'kml-link-not-read',
      params: { code: 'remote', file: 'doc.kml', link },
      message: expect.stringContaining(`doc.kml links to ${link}`),
    });
    expect(fetched).not.toHaveBeenCalled();
  });

  it('refuses a link to a file the KMZ does not hold, naming it', async () => {
    const file = await writeKmz('posko.kmz', [['doc.kml', kmlDocument([], ['files/hilang.kml'])]]);

    await expect(readRows(file)).rejects.toMatchObject({
      code: 'kml-link-not-read',
      params: { code: 'missing', file: 'doc.kml', link: 'files/hilang.kml' },
    });
  });
});
