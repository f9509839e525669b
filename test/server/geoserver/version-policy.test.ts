import { describe, expect, it } from 'vitest';
import {
  judgeVersion,
  knownVulnerabilities,
  parseGeoServerVersion,
} from '../../../server/geoserver/version-policy.js';

const idsOf = (version: string) => judgeVersion(version).vulnerabilities.map((v) => v.id);

describe('GeoServer version policy', () => {
  it('reads releases, snapshots and candidates, and nothing else', () => {
    expect(parseGeoServerVersion('2.25.2')).toEqual([2, 25, 2]);
    expect(parseGeoServerVersion('2.26-SNAPSHOT')).toEqual([2, 26, 0]);
    expect(parseGeoServerVersion('3.0.1-RC')).toEqual([3, 0, 1]);
    expect(parseGeoServerVersion('master')).toBeUndefined();
    expect(parseGeoServerVersion('')).toBeUndefined();
  });

  it('finds CVE-2024-36401 before 2.23.6, 2.24.4 and 2.25.2, and not from them on', () => {
    expect(idsOf('2.23.5')).toContain('CVE-2024-36401');
    expect(idsOf('2.24.3')).toContain('CVE-2024-36401');
    expect(idsOf('2.25.1')).toContain('CVE-2024-36401');
    expect(idsOf('2.22.0')).toContain('CVE-2024-36401');
    expect(idsOf('2.23.6')).not.toContain('CVE-2024-36401');
    expect(idsOf('2.24.4')).not.toContain('CVE-2024-36401');
    expect(idsOf('2.25.2')).not.toContain('CVE-2024-36401');
  });

  it('refuses 2.25.6 and 2.26.2 for the 2025 XML entity vulnerabilities', () => {
    expect(idsOf('2.25.6')).toEqual(['CVE-2025-30220']);
    expect(idsOf('2.26.1')).toEqual(['CVE-2025-30220', 'CVE-2025-58360']);
    expect(idsOf('2.27.0')).toEqual(['CVE-2025-30220']);
  });

  it('allows the patched releases of each branch', () => {
    for (const version of ['2.25.7', '2.26.3', '2.27.1', '2.28.2', '3.0.1']) {
      expect(judgeVersion(version)).toEqual({ version, vulnerabilities: [] });
    }
  });

  it('refuses an unknown version and names every vulnerability of a known one', () => {
    expect(judgeVersion(undefined).refusal).toMatch(/no release number/);
    expect(judgeVersion('2.21.0').refusal).toMatch(/CVE-2023-25157.*CVE-2024-36401/);
  });

  it('keeps every affected range well formed: first affected below first fixed', () => {
    for (const { id, affected } of knownVulnerabilities) {
      for (const [from, fixed] of affected) {
        const [a, b] = [parseGeoServerVersion(from)!, parseGeoServerVersion(fixed)!];
        expect(a[0] * 1e6 + a[1] * 1e3 + a[2], id).toBeLessThan(b[0] * 1e6 + b[1] * 1e3 + b[2]);
      }
    }
  });
});
