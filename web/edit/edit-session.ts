/**
 * The unsaved edits of one layer: features as last read from the server (with their ETags),
 * the working copies the user changed, drew or deleted, and undo/redo over those changes.
 * Pure data, no map and no network, so the rules can be tested directly.
 */
import type { BatchEdit } from '../api/edit-api.js';

/** A GeoJSON geometry in CRS84. */
export interface Geometry {
  type: string;
  coordinates: unknown;
}

/** A feature being edited; `id` and `etag` are absent until the server has stored it. */
export interface WorkingFeature {
  key: string;
  id?: number;
  etag?: string;
  geometry: Geometry;
  properties: Record<string, unknown>;
}

/** A feature a save wrote: its key before, its id and ETag now, the version sent. */
interface SaveResult {
  key: string;
  id: number;
  etag?: string;
  /** The version a create or replace wrote; none for a deletion. */
  sent?: WorkingFeature;
}

interface State {
  features: Map<string, WorkingFeature>;
  deleted: Map<string, WorkingFeature>;
}

/** Undo steps kept; older ones are forgotten. */
const maxUndoSteps = 100;

/** The key of a stored feature. */
export function storedKey(id: number): string {
  return `f${id}`;
}

/** The id of a stored feature by its key; undefined for a new feature's key. */
export function storedIdOf(key: string): number | undefined {
  return key.startsWith('f') ? Number(key.slice(1)) : undefined;
}

function cloneState(state: State): State {
  return { features: new Map(state.features), deleted: new Map(state.deleted) };
}

/** Unsaved edits of one layer, with undo and redo. */
export class EditSession {
  private baseline = new Map<string, WorkingFeature>();
  private state: State = { features: new Map(), deleted: new Map() };
  private undoStack: State[] = [];
  private redoStack: State[] = [];
  private created = 0;

  /** `computedNames`: attributes the server computes, left out of every edit sent (read-only). */
  constructor(
    readonly layerId: string,
    private readonly computedNames: readonly string[] = [],
  ) {}

  /** Adds or refreshes stored features; a feature with unsaved changes keeps them. */
  load(features: readonly WorkingFeature[]) {
    for (const feature of features) {
      const key = storedKey(feature.id!);
      const base = this.baseline.get(key);
      const changed = this.isChanged(key) || this.state.deleted.has(key);
      if (changed) {
        // keep the user's changes; learn the ETag they will be written over if none yet
        if (base && !base.etag && feature.etag)
          this.baseline.set(key, { ...base, etag: feature.etag });
        continue;
      }
      const stored = { ...feature, key, etag: feature.etag ?? base?.etag };
      this.baseline.set(key, stored);
      this.state.features.set(key, stored);
    }
  }

  /** Takes the server's version of a feature as the new baseline, dropping local changes. */
  acceptServerVersion(feature: WorkingFeature) {
    const key = storedKey(feature.id!);
    const stored = { ...feature, key };
    this.baseline.set(key, stored);
    this.state.features.set(key, stored);
    this.state.deleted.delete(key);
  }

  /**
   * After a conflict: the server's version becomes the one the changes were made on, and the
   * feature's pending change becomes `merged` (the local change is kept as it is without one),
   * written over the server's ETag. A feature deleted locally is deleted over that ETag.
   */
  rebase(server: WorkingFeature, merged?: Pick<WorkingFeature, 'geometry' | 'properties'>) {
    const key = storedKey(server.id!);
    const etag = server.etag;
    this.baseline.set(key, { ...server, key });
    this.change((state) => {
      const current = state.features.get(key);
      if (current) state.features.set(key, { ...current, ...merged, etag });
      const deleted = state.deleted.get(key);
      if (deleted) state.deleted.set(key, { ...deleted, etag });
    });
  }

  /** The version of a saved feature the local changes were made on; undefined for a new one. */
  storedVersion(key: string): WorkingFeature | undefined {
    const base = this.baseline.get(key);
    return base?.id === undefined ? undefined : base;
  }

  get(key: string): WorkingFeature | undefined {
    return this.state.features.get(key);
  }

  /** A saved feature's properties as the server last gave them; undefined for a new one. */
  storedProperties(key: string): Record<string, unknown> | undefined {
    const base = this.baseline.get(key);
    return base?.id === undefined ? undefined : base.properties;
  }

  /** Every feature now on the working copy (deleted ones excluded). */
  all(): WorkingFeature[] {
    return [...this.state.features.values()];
  }

  /** True when the feature differs from what the server holds, or is new. */
  isChanged(key: string): boolean {
    const current = this.state.features.get(key);
    return !!current && current !== this.baseline.get(key);
  }

  get hasChanges(): boolean {
    return this.pendingEdits().length > 0;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  private change(apply: (state: State) => void) {
    this.undoStack.push(this.state);
    if (this.undoStack.length > maxUndoSteps) this.undoStack.shift();
    this.redoStack = [];
    this.state = cloneState(this.state);
    apply(this.state);
  }

  /** A new feature; returns its key. */
  create(geometry: Geometry, properties: Record<string, unknown>): string {
    this.created += 1;
    const key = `n${this.created}`;
    this.change((state) => state.features.set(key, { key, geometry, properties }));
    return key;
  }

  setGeometry(key: string, geometry: Geometry) {
    const current = this.requireFeature(key);
    this.change((state) => state.features.set(key, { ...current, geometry }));
  }

  setProperties(key: string, properties: Record<string, unknown>) {
    const current = this.requireFeature(key);
    this.change((state) => state.features.set(key, { ...current, properties }));
  }

  /** Deletes a feature (a stored one is deleted on save, a new one simply dropped). */
  remove(key: string) {
    const current = this.requireFeature(key);
    this.change((state) => {
      state.features.delete(key);
      if (current.id !== undefined) state.deleted.set(key, this.baseline.get(key) ?? current);
    });
  }

  /**
   * Splits a feature in two: it keeps `first` and its attributes, and a new feature gets
   * `second` with the same attributes except `ownNames` (unique ones, such as a segment code),
   * left empty for the user to fill: a copy could only be refused on save. `divided` gives
   * values each part takes of its own (a route's chainage, divided at the cut). Both happen as
   * one undo step. Returns the new feature's key.
   */
  split(
    key: string,
    first: Geometry,
    second: Geometry,
    ownNames: readonly string[] = [],
    divided: [Record<string, unknown>, Record<string, unknown>] = [{}, {}],
  ) {
    const current = this.requireFeature(key);
    this.created += 1;
    const newKey = `n${this.created}`;
    const properties = { ...current.properties, ...divided[1] };
    for (const name of ownNames) properties[name] = null;
    const kept = { ...current.properties, ...divided[0] };
    this.change((state) => {
      state.features.set(key, { ...current, geometry: first, properties: kept });
      state.features.set(newKey, { key: newKey, geometry: second, properties });
    });
    return newKey;
  }

  /** Undoes the last step; returns the keys of the features it brought back or changed. */
  undo(): string[] {
    const previous = this.undoStack.pop();
    if (!previous) return [];
    this.redoStack.push(this.state);
    return this.moveTo(previous);
  }

  /** Redoes the step last undone; returns the keys of the features it made or changed. */
  redo(): string[] {
    const next = this.redoStack.pop();
    if (!next) return [];
    this.undoStack.push(this.state);
    return this.moveTo(next);
  }

  /** Every change puts new feature objects in its state: the others are the same objects. */
  private moveTo(state: State): string[] {
    const before = this.state.features;
    this.state = state;
    return [...state.features].filter(([key, f]) => before.get(key) !== f).map(([key]) => key);
  }

  /** The keys of the pending edits, in the order of `pendingEdits`. */
  pendingKeys(): string[] {
    const changed = this.all()
      .filter((f) => this.isChanged(f.key))
      .map((f) => f.key);
    return [...changed, ...this.state.deleted.keys()];
  }

  /** The unsaved changes as batch edits: creates, replaces (with ETags) and deletes. */
  pendingEdits(): BatchEdit[] {
    const collection = this.layerId;
    return this.pendingKeys().map((key): BatchEdit => {
      // the ETag is the one of the server version the change was made on: the baseline's
      const etag = this.baseline.get(key)?.etag ?? '';
      const deleted = this.state.deleted.get(key);
      if (deleted) return { op: 'delete', collection, featureId: deleted.id!, etag };

      const feature = this.state.features.get(key)!;
      const body = {
        type: 'Feature' as const,
        geometry: feature.geometry,
        properties: this.writableProperties(feature.properties),
      };
      if (feature.id === undefined) return { op: 'create', collection, feature: body };
      return { op: 'replace', collection, featureId: feature.id, etag, feature: body };
    });
  }

  private writableProperties(properties: Record<string, unknown>) {
    const entries = Object.entries(properties);
    return Object.fromEntries(entries.filter(([name]) => !this.computedNames.includes(name)));
  }

  /**
   * Records a successful save: each pending key gets the id and ETag the server answered,
   * deleted features are forgotten, and undo starts afresh (saved edits are history now).
   * `sent` is the version a create or replace wrote: a change made while the answer was
   * awaited (a field typed, the feature deleted) stays pending over it, where taking the
   * working copy as saved dropped that change without a word.
   */
  markSaved(results: readonly SaveResult[]) {
    for (const { key, id, etag, sent } of results) {
      const current = this.state.features.get(key);
      const deleted = this.state.deleted.has(key);
      this.state.features.delete(key);
      this.state.deleted.delete(key);
      this.baseline.delete(key);
      // what the server holds now: the version sent, else (a deletion) nothing
      const written = sent ?? (deleted ? undefined : current);
      if (!written) continue;
      const savedKey = storedKey(id);
      const saved = { ...written, key: savedKey, id, etag };
      this.baseline.set(savedKey, saved);
      if (!current) this.state.deleted.set(savedKey, saved);
      else if (current === written) this.state.features.set(savedKey, saved);
      else this.state.features.set(savedKey, { ...current, key: savedKey, id, etag });
    }
    this.undoStack = [];
    this.redoStack = [];
  }

  /** Drops every unsaved change. */
  discard() {
    this.state = { features: new Map(this.baseline), deleted: new Map() };
    this.undoStack = [];
    this.redoStack = [];
  }

  private requireFeature(key: string): WorkingFeature {
    const feature = this.state.features.get(key);
    if (!feature) throw new Error(`no feature ${key} in the edit session`);
    return feature;
  }
}
