import { describe, expect, it } from 'vitest';
import { EditSession, storedKey } from '../../../web/edit/edit-session.js';

const line = (x: number) => ({
  type: 'MultiLineString',
  coordinates: [
    [
      [x, -7.7],
      [x + 0.01, -7.7],
    ],
  ],
});

function sessionWithOneStored() {
  const session = new EditSession('road_segment');
  session.load([
    { key: storedKey(7), id: 7, etag: '"7-3"', geometry: line(109), properties: { name: 'A' } },
  ]);
  return session;
}

describe('the unsaved edits of a layer', () => {
  it('leaves computed attributes out of what it sends, a split copy included', () => {
    const session = new EditSession('road_segment', ['length_m']);
    const properties = { name: 'A', length_m: 1113.2 };
    session.load([{ key: storedKey(7), id: 7, etag: '"7-3"', geometry: line(109), properties }]);

    session.setProperties('f7', { ...properties, name: 'B' });
    session.split('f7', line(109), line(109.005));

    const sent = session.pendingEdits().map((edit) => JSON.stringify(edit));
    expect(sent).toHaveLength(2);
    expect(sent.join()).not.toContain('length_m');
  });

  it('has nothing to save until something changes', () => {
    expect(sessionWithOneStored().pendingEdits()).toEqual([]);
  });

  it('turns a changed stored feature into a replace over the ETag it was read with', () => {
    const session = sessionWithOneStored();

    session.setProperties('f7', { name: 'B' });

    expect(session.pendingEdits()).toEqual([
      {
        op: 'replace',
        collection: 'road_segment',
        featureId: 7,
        etag: '"7-3"',
        feature: { type: 'Feature', geometry: line(109), properties: { name: 'B' } },
      },
    ]);
  });

  it('undoes and redoes each change in order', () => {
    const session = sessionWithOneStored();
    session.setProperties('f7', { name: 'B' });
    session.setGeometry('f7', line(110));

    session.undo();
    expect(session.get('f7')?.geometry).toEqual(line(109));
    expect(session.get('f7')?.properties).toEqual({ name: 'B' });

    session.undo();
    expect(session.hasChanges).toBe(false);

    session.redo();
    expect(session.get('f7')?.properties).toEqual({ name: 'B' });
  });

  it('splits a feature into an update and a create carrying the same attributes, undone at once', () => {
    const session = sessionWithOneStored();

    const newKey = session.split('f7', line(109), line(109.005));

    expect(session.pendingEdits().map((e) => e.op)).toEqual(['replace', 'create']);
    expect(session.get(newKey)?.properties).toEqual({ name: 'A' });
    session.undo();
    expect(session.hasChanges).toBe(false);
  });

  it("leaves the unique attributes of a split's new part empty; the old part keeps them", () => {
    const session = new EditSession('road_segment');
    const properties = { segment_code: '012.2', name: 'A' };
    session.load([{ key: storedKey(7), id: 7, etag: '"7-3"', geometry: line(109), properties }]);

    const newKey = session.split('f7', line(109), line(109.005), ['segment_code']);

    expect(session.get(newKey)?.properties).toEqual({ segment_code: null, name: 'A' });
    expect(session.get('f7')?.properties).toEqual(properties);
  });

  it('gives each part of a split its own divided values, undone with the split', () => {
    const session = new EditSession('road_segment');
    const properties = { chainage_from_m: 0, chainage_to_m: 100, name: 'A' };
    session.load([{ key: storedKey(7), id: 7, etag: '"7-3"', geometry: line(109), properties }]);

    const divided: [Record<string, unknown>, Record<string, unknown>] = [
      { chainage_to_m: 40 },
      { chainage_from_m: 40 },
    ];
    const newKey = session.split('f7', line(109), line(109.005), [], divided);
    const parts = [session.get('f7')?.properties, session.get(newKey)?.properties];
    session.undo();

    expect(parts).toEqual([
      { chainage_from_m: 0, chainage_to_m: 40, name: 'A' },
      { chainage_from_m: 40, chainage_to_m: 100, name: 'A' },
    ]);
    expect(session.get('f7')?.properties).toEqual(properties);
  });

  it('names the features an undo or a redo changed: the whole line, then both parts', () => {
    const session = sessionWithOneStored();
    const newKey = session.split('f7', line(109), line(109.005));

    const undone = session.undo();
    const redone = session.redo();

    expect({ undone, redone }).toEqual({ undone: ['f7'], redone: ['f7', newKey] });
  });

  it('deletes a stored feature on save but simply drops a new one', () => {
    const session = sessionWithOneStored();
    const drawn = session.create(line(111), {});

    session.remove(drawn);
    session.remove('f7');

    expect(session.pendingEdits()).toEqual([
      { op: 'delete', collection: 'road_segment', featureId: 7, etag: '"7-3"' },
    ]);
  });

  it('keeps unsaved changes when the features in view are loaded again', () => {
    const session = sessionWithOneStored();
    session.setProperties('f7', { name: 'B' });

    session.load([{ key: 'f7', id: 7, geometry: line(109), properties: { name: 'server' } }]);

    expect(session.get('f7')?.properties).toEqual({ name: 'B' });
  });

  it('writes a merge over the newer ETag after a conflict, and saves under the server id', () => {
    const session = sessionWithOneStored();
    session.setProperties('f7', { name: 'B' });

    const server = { key: 'f7', id: 7, etag: '"7-4"', geometry: line(109) };
    session.rebase(
      { ...server, properties: { name: 'A', status: 'theirs' } },
      {
        geometry: line(109),
        properties: { name: 'B', status: 'theirs' },
      },
    );
    const edit = session.pendingEdits()[0];
    const base = session.storedVersion('f7');
    session.markSaved([{ key: 'f7', id: 7, etag: '"7-5"' }]);

    expect(edit).toMatchObject({ etag: '"7-4"', feature: { properties: { status: 'theirs' } } });
    expect(base?.properties).toEqual({ name: 'A', status: 'theirs' });
    expect(session.hasChanges).toBe(false);
    expect(session.canUndo).toBe(false);
  });

  it('keeps a change made while a save awaited its answer as still to save', () => {
    const session = sessionWithOneStored();
    session.setProperties('f7', { name: 'B' });
    const sent = session.get('f7');
    session.setProperties('f7', { name: 'C' });
    session.markSaved([{ key: 'f7', id: 7, etag: '"7-4"', sent }]);

    expect(session.pendingEdits()).toEqual([
      expect.objectContaining({ op: 'replace', etag: '"7-4"', feature: expect.anything() }),
    ]);
    expect(session.get('f7')?.properties).toEqual({ name: 'C' });
    expect(session.storedProperties('f7')).toEqual({ name: 'B' });
  });

  it('deletes on the next save a feature deleted while its creation was saved', () => {
    const session = new EditSession('road_segment');
    const key = session.create(line(109), { name: 'new' });
    const sent = session.get(key);
    session.remove(key);
    session.markSaved([{ key, id: 12, etag: '"12-1"', sent }]);

    expect(session.pendingEdits()).toEqual([
      { op: 'delete', collection: 'road_segment', featureId: 12, etag: '"12-1"' },
    ]);
  });

  it('forgets a feature whose deletion was saved', () => {
    const session = sessionWithOneStored();
    session.remove('f7');
    session.markSaved([{ key: 'f7', id: 7 }]);

    expect(session.hasChanges).toBe(false);
    expect(session.all()).toEqual([]);
  });
});
