import { afterEach, describe, expect, it } from 'vitest';
import type { PublicationPlan, StepReport } from '../../../web/api/geoserver-api.js';
import { setLanguage } from '../../../web/i18n/i18n.js';
import {
  describeCounts,
  describeFailure,
  describeRun,
  listPlanRows,
  listStepRows,
} from '../../../web/geoserver/plan-view.js';

afterEach(() => setLanguage('id'));

const plan: PublicationPlan = {
  geoserver: { url: 'http://gs/geoserver/rest', version: '2.28.2', forced: false },
  workspace: 'cilacap',
  datastore: 'simpul',
  changes: [
    { kind: 'workspace', name: 'cilacap', action: 'unchanged', fields: [] },
    { kind: 'style', name: 'desa', action: 'update', fields: ['content'] },
    { kind: 'featureType', name: 'bridge', action: 'create', fields: [] },
    { kind: 'style', name: 'old_layer', action: 'delete', fields: [] },
  ],
  foreign: [],
  counts: { create: 1, update: 1, delete: 1, unchanged: 1 },
};

describe('GeoServer plan view', () => {
  it('lists what changes, in order, without the unchanged objects', () => {
    const rows = listPlanRows(plan);

    expect(rows.map((row) => row.cells)).toEqual([
      ['ubah', 'style', 'desa', 'content'],
      ['buat', 'featureType', 'bridge', ''],
      ['hapus', 'style', 'old_layer', ''],
    ]);
    expect(rows.map((row) => row.tone)).toEqual(['update', 'create', 'delete']);
  });

  it('counts the changes in the interface language, or says there is nothing to do', () => {
    const settled = { ...plan, counts: { create: 0, update: 0, delete: 0, unchanged: 9 } };

    expect(describeCounts(plan)).toBe('1 dibuat, 1 diubah, 1 dihapus, 1 tetap');
    setLanguage('en');
    expect(describeCounts(plan)).toBe('1 to create, 1 to update, 1 to delete, 1 unchanged');
    expect(describeCounts(settled)).toBe('GeoServer already matches the declarations.');
  });

  it('shows a failed step with its error and the steps not done after it', () => {
    const steps: StepReport[] = [
      { kind: 'style', name: 'desa', action: 'create', fields: [], status: 'done' },
      {
        kind: 'featureType',
        name: 'desa',
        action: 'create',
        fields: [],
        status: 'failed',
        error: 'GeoServer answered 500',
      },
      { kind: 'layer', name: 'desa', action: 'create', fields: [], status: 'not-done' },
      { kind: 'layer', name: 'kecamatan', action: 'unchanged', fields: [], status: 'unchanged' },
    ];

    const rows = listStepRows(steps);

    expect(rows.map((row) => row.cells[0])).toEqual(['selesai', 'gagal', 'belum']);
    expect(rows[1]!.cells[3]).toBe('GeoServer answered 500');
  });

  it('says who applied last, when, and against which GeoServer', () => {
    setLanguage('en');
    const run = {
      outcome: 'failed',
      forced: false,
      requestedBy: 'user:admin',
      geoserverVersion: '2.28.2',
      finishedAt: '2026-12-04T09:30:00Z',
      report: { plan, report: { outcome: 'failed' as const, steps: [] } },
    };

    expect(describeRun(run)).toMatch(
      /^Stopped by a failure on .+ by admin \(GeoServer 2\.28\.2\)$/,
    );
    expect(describeRun({ ...run, requestedBy: 'cli' })).toContain('by CLI');
  });

  it('says where a failed apply stopped and why, and nothing for one that did not fail', () => {
    const base = {
      forced: false,
      requestedBy: 'user:admin',
      geoserverVersion: null,
      finishedAt: '2026-12-04T09:30:00Z',
    };
    const unreachable = {
      ...base,
      outcome: 'failed',
      failedStage: 'connect' as const,
      error: 'cannot reach GeoServer at http://gs/geoserver/rest: connection refused',
      report: { plan: null, report: { outcome: 'failed' as const, steps: [] } },
    };
    const failedStep: StepReport = {
      kind: 'style',
      name: 'desa',
      action: 'create',
      fields: [],
      status: 'failed',
      error: 'GeoServer answered 500',
    };
    const stopped = {
      ...base,
      outcome: 'failed',
      failedStage: 'apply' as const,
      error: 'style desa: GeoServer answered 500',
      report: { plan, report: { outcome: 'failed' as const, steps: [failedStep] } },
    };
    const applied = {
      ...stopped,
      outcome: 'applied',
      failedStage: null,
      error: null,
      report: { plan, report: { outcome: 'applied' as const, steps: [] } },
    };

    expect(describeFailure(unreachable)).toBe(
      'Gagal saat menanyakan versi GeoServer: cannot reach GeoServer at ' +
        'http://gs/geoserver/rest: connection refused',
    );
    expect(describeFailure(stopped)).toBe(
      'Gagal pada langkah buat style desa: GeoServer answered 500',
    );
    expect(describeFailure({ ...unreachable, failedStage: 'configure', error: 'not set' })).toBe(
      'Gagal saat membaca konfigurasi: not set',
    );
    setLanguage('en');
    expect(describeFailure({ ...unreachable, failedStage: 'configure', error: 'not set' })).toBe(
      'Failed while reading the configuration: not set',
    );
    expect(describeFailure({ ...unreachable, failedStage: 'plan', error: 'answered 500' })).toBe(
      "Failed while reading GeoServer's catalog to plan: answered 500",
    );
    expect(describeFailure(applied)).toBeUndefined();
  });
});
