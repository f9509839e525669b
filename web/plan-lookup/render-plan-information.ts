import type { PlanInformation, SampleSource } from '../api/analysis-api.js';
import { getLocale, pickTitle } from '../i18n/i18n.js';
import { pickText, planText } from './plan-lookup-messages.js';

/** A new element with a class and children. */
export function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  className: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  node.className = className;
  node.append(...children);
  return node;
}

/** A share 0–1 as a percentage in the interface locale; a dash for none. */
export function formatShare(share: number | null) {
  if (share === null) return '–';
  return new Intl.NumberFormat(getLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(
    share,
  );
}

/** A number in the interface locale with at most `digits` decimals. */
export function formatNumber(value: number, digits = 2) {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: digits }).format(value);
}

/**
 * A warning that an answer was computed from invented sample data, naming those layers in the
 * interface language: a list of one note to spread among an answer's parts, or none when every
 * layer the answer read holds real data.
 */
export function renderSampleNote(sources: readonly SampleSource[]): HTMLElement[] {
  if (sources.length === 0) return [];
  const layers = sources.map(pickTitle).join(', ');
  const note = element('p', 'sample-note', planText('sample.analysis', { layers }));
  note.setAttribute('role', 'note');
  return [note];
}

function ruleBadge(rule: string | null) {
  return element('span', `plan-rule plan-rule--${rule ?? 'none'}`, rule ?? '?');
}

function renderLocation(info: PlanInformation) {
  const desa = info.location.desa.map((d) => d.name).join(', ') || '–';
  const kecamatan = info.location.kecamatan.map((k) => k.name).join(', ') || '–';
  // a point has no area: its row says what the place is instead
  const isPoint = info.place.areaHa === 0;
  const placeTerm = planText(isPoint ? 'plan.place' : 'plan.area');
  const place = isPoint ? planText('plan.point') : `${formatNumber(info.place.areaHa)} ha`;
  return element(
    'dl',
    'plan-facts',
    element('dt', '', planText('plan.location')),
    element('dd', '', `${desa} · ${kecamatan}`),
    element('dt', '', placeTerm),
    element('dd', '', place),
  );
}

function renderZones(info: PlanInformation) {
  if (info.zones.length === 0) return element('p', 'plan-note', planText('plan.noZone'));
  const rows = info.zones.map((zone) => {
    const swatch = element('span', 'plan-swatch');
    swatch.style.background = zone.color ?? '#eeeeee';
    const area = info.place.areaHa > 0 ? formatNumber(zone.areaHa) : '–';
    return element(
      'tr',
      '',
      element('td', '', swatch, pickText(zone.zoneLabel)),
      element('td', 'plan-num', area),
      element('td', 'plan-num', formatShare(zone.share)),
    );
  });
  const head = element(
    'tr',
    '',
    element('th', '', planText('plan.zone')),
    element('th', 'plan-num', planText('plan.areaHa')),
    element('th', 'plan-num', planText('plan.share')),
  );
  const table = element(
    'table',
    'plan-table',
    element('thead', '', head),
    element('tbody', '', ...rows),
  );
  const regulations = [
    ...new Set(
      info.zones.map(
        (z) =>
          `${z.regulation ?? '–'} (${planText('plan.period')} ${z.periodStart ?? '…'}–${z.periodEnd ?? '…'})`,
      ),
    ),
  ];
  const parts: Node[] = [
    table,
    element('p', 'plan-note', `${planText('plan.regulation')}: ${regulations.join('; ')}`),
  ];
  if (info.outsideZonesShare && info.outsideZonesShare > 0.001 && info.place.areaHa > 0) {
    const percent = formatShare(info.outsideZonesShare);
    parts.push(element('p', 'plan-warning', planText('plan.outside', { percent })));
  }
  return element('div', '', ...parts);
}

function renderActivity(info: PlanInformation) {
  const activity = info.activity;
  if (!activity) return undefined;
  const overall = element(
    'p',
    'plan-answer',
    `${pickText(activity.activityLabel)}: `,
    ruleBadge(activity.overall),
    ` ${pickText(activity.overallLabel)}`,
  );
  const perZone = activity.answers.map((answer) => {
    const zone = info.zones.find((z) => z.zoneCode === answer.zoneCode);
    const condition = answer.condition ? ` — ${pickText(answer.condition)}` : '';
    return element(
      'li',
      '',
      ruleBadge(answer.rule),
      ` ${zone ? pickText(zone.zoneLabel) : answer.zoneCode}: ${pickText(answer.ruleLabel)}${condition}`,
    );
  });
  return element(
    'section',
    'plan-section',
    element('h3', '', planText('plan.answer')),
    overall,
    element('ul', 'plan-answers', ...perZone),
  );
}

function renderWarnings(info: PlanInformation) {
  const items = info.warnings.map((w) =>
    element('li', `plan-warning plan-warning--${w.kind}`, pickText(w.message)),
  );
  const body =
    items.length > 0
      ? element('ul', 'plan-warnings', ...items)
      : element('p', 'plan-note', planText('plan.noWarnings'));
  return element('section', 'plan-section', element('h3', '', planText('plan.warnings')), body);
}

/** The plan information of a place as the tool's result panel shows it. */
export function renderPlanInformation(info: PlanInformation): HTMLElement {
  const sections = [
    ...renderSampleNote(info.sampleSources),
    renderLocation(info),
    element(
      'section',
      'plan-section',
      element('h3', '', planText('plan.zones')),
      renderZones(info),
    ),
    renderActivity(info),
    renderWarnings(info),
    element('p', 'plan-note', planText('plan.elapsed', { ms: info.elapsedMs })),
    ...info.notes.map((note) => element('p', 'plan-note', pickText(note))),
  ];
  return element('div', 'plan-result', ...sections.filter((s): s is HTMLElement => Boolean(s)));
}
