/**
 * The three-way comparison behind an edit conflict: the version the user started from (base),
 * the user's (mine) and the one now on the server (theirs). Only a field both sides changed,
 * to different values, is a conflict; every other change of either side is kept. Pure data.
 */
import type { Geometry } from './edit-session.js';

/** A feature's content as compared: its geometry and its attributes. */
export interface FeatureVersion {
  geometry: Geometry;
  properties: Record<string, unknown>;
}

/** One field (an attribute name, or `geometry`) in the three versions. */
export interface FieldVersions {
  field: string;
  base: unknown;
  mine: unknown;
  theirs: unknown;
}

/** The fields each side changed since the base, sorted by who changed them. */
export interface VersionComparison {
  /** Changed by both, to different values: the user chooses. */
  conflicts: FieldVersions[];
  /** Changed by someone else only: their value stays. */
  changedByThem: FieldVersions[];
  /** Changed by the user only: the user's value goes over theirs. */
  changedByMe: FieldVersions[];
}

/** Which side a conflicting field takes. */
export type Side = 'mine' | 'theirs';

function valueOf(version: FeatureVersion, field: string): unknown {
  return field === 'geometry' ? version.geometry : (version.properties[field] ?? null);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compares the named attributes and the geometry of three versions of a feature. A field both
 * sides changed to the same value is in no list: theirs already holds it.
 */
export function compareVersions(
  attributeNames: readonly string[],
  base: FeatureVersion,
  mine: FeatureVersion,
  theirs: FeatureVersion,
): VersionComparison {
  const comparison: VersionComparison = { conflicts: [], changedByThem: [], changedByMe: [] };
  for (const field of [...attributeNames, 'geometry']) {
    const versions = {
      field,
      base: valueOf(base, field),
      mine: valueOf(mine, field),
      theirs: valueOf(theirs, field),
    };
    const changedByMe = !same(versions.mine, versions.base);
    const changedByThem = !same(versions.theirs, versions.base);

    if (changedByMe && changedByThem && !same(versions.mine, versions.theirs))
      comparison.conflicts.push(versions);
    else if (changedByMe && !changedByThem) comparison.changedByMe.push(versions);
    else if (changedByThem && !changedByMe) comparison.changedByThem.push(versions);
  }
  return comparison;
}

/**
 * The version to write over theirs: theirs, with the fields only the user changed, and each
 * conflict as `choose` decides (the user's value for a field it does not name).
 */
export function mergeVersions(
  comparison: VersionComparison,
  theirs: FeatureVersion,
  choose: (field: string) => Side = () => 'mine',
): FeatureVersion {
  const merged = { geometry: theirs.geometry, properties: { ...theirs.properties } };
  const chosen = comparison.conflicts.filter((versions) => choose(versions.field) === 'mine');

  for (const { field, mine } of [...comparison.changedByMe, ...chosen]) {
    if (field === 'geometry') merged.geometry = mine as Geometry;
    else merged.properties[field] = mine;
  }
  return merged;
}
