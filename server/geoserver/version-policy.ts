/** A GeoServer release as `[major, minor, patch]`. */
export type GeoServerVersion = [number, number, number];

/** A vulnerability that makes Simpul refuse to publish, with the releases it affects. */
export interface KnownVulnerability {
  id: string;
  summary: string;
  /** Affected ranges `[first affected, first fixed)`, one per release branch. */
  affected: [string, string][];
}

/**
 * Unauthenticated critical or actively exploited GeoServer vulnerabilities, from GeoServer's
 * security advisories (GitHub GHSA) and the CVE records, checked December 2026. A version in
 * any range is refused unless forced. The list must be kept up to date by hand: a newer
 * advisory is not known to this code until it is added here.
 */
export const knownVulnerabilities: KnownVulnerability[] = [
  {
    id: 'CVE-2022-24816',
    summary: 'remote code execution through Jiffle scripts (CVSS 9.8, actively exploited)',
    affected: [
      ['0.0.0', '2.19.6'],
      ['2.20.0', '2.20.4'],
    ],
  },
  {
    id: 'CVE-2023-25157',
    summary: 'SQL injection through OGC filter functions on PostGIS stores (CVSS 9.8)',
    affected: [
      ['0.0.0', '2.18.7'],
      ['2.19.0', '2.19.7'],
      ['2.20.0', '2.20.7'],
      ['2.21.0', '2.21.4'],
      ['2.22.0', '2.22.2'],
    ],
  },
  {
    id: 'CVE-2024-36401',
    summary: 'unauthenticated remote code execution through OGC property names (CVSS 9.8)',
    affected: [
      ['0.0.0', '2.22.6'],
      ['2.23.0', '2.23.6'],
      ['2.24.0', '2.24.4'],
      ['2.25.0', '2.25.2'],
    ],
  },
  {
    id: 'CVE-2025-30220',
    summary: 'XML external entities in WFS schema handling: file reads and SSRF (CVSS 9.9)',
    affected: [
      ['0.0.0', '2.25.7'],
      ['2.26.0', '2.26.3'],
      ['2.27.0', '2.27.1'],
    ],
  },
  {
    id: 'CVE-2025-58360',
    summary: 'unauthenticated XML external entities in WMS GetMap (actively exploited)',
    affected: [
      ['0.0.0', '2.25.6'],
      ['2.26.0', '2.26.2'],
    ],
  },
];

/** `2.25.2`, `2.26-SNAPSHOT` (as 2.26.0) or `3.0.1-RC` as a version; undefined otherwise. */
export function parseGeoServerVersion(text: string): GeoServerVersion | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-.][0-9A-Za-z.-]*)?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function compareVersions(a: GeoServerVersion, b: GeoServerVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function inRange(version: GeoServerVersion, [from, fixed]: [string, string]): boolean {
  const start = parseGeoServerVersion(from)!;
  const end = parseGeoServerVersion(fixed)!;
  return compareVersions(version, start) >= 0 && compareVersions(version, end) < 0;
}

/** The known vulnerabilities of a version, none for an unaffected one. */
export function findVulnerabilities(version: GeoServerVersion): KnownVulnerability[] {
  return knownVulnerabilities.filter((v) => v.affected.some((range) => inRange(version, range)));
}

/** Whether Simpul may publish to a GeoServer of this version, and why not. */
export interface VersionVerdict {
  version: string;
  vulnerabilities: KnownVulnerability[];
  /** Why publishing is refused; undefined when it is allowed. */
  refusal?: string;
}

/** Judges the version GeoServer reported: unknown or vulnerable versions are refused. */
export function judgeVersion(versionText: string | undefined): VersionVerdict {
  const version = versionText?.trim() ?? '';
  const parsed = parseGeoServerVersion(version);
  if (!parsed) {
    const refusal = `GeoServer reported no release number ("${version}"), so its safety is unknown`;
    return { version, vulnerabilities: [], refusal };
  }
  const vulnerabilities = findVulnerabilities(parsed);
  if (vulnerabilities.length === 0) return { version, vulnerabilities };

  const ids = vulnerabilities.map((v) => `${v.id} (${v.summary})`).join('; ');
  return { version, vulnerabilities, refusal: `GeoServer ${version} is affected by ${ids}` };
}
