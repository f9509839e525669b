import './geoserver-admin.css';
import {
  applyGeoServerPlan,
  fetchGeoServerPlan,
  fetchGeoServerStatus,
  fetchSession,
  logIn,
  ProblemError,
  type GeoServerStatus,
  type PublicationPlan,
  type PublicationResult,
  type SessionInfo,
} from '../api/geoserver-api.js';
import { refreshSession } from '../auth/mount-login.js';
import { bus } from '../events/event-bus.js';
import { failureReason } from '../plan-lookup/failure-reason.js';
import { geoserverText, type GeoServerMessageKey } from './geoserver-messages.js';
import {
  describeCounts,
  describeFailure,
  describeRun,
  listPlanRows,
  listStepRows,
  type ViewRow,
} from './plan-view.js';

/** The address of the page: the map stays loaded behind it. */
const pageHash = '#/admin/geoserver';

interface AdminState {
  session?: SessionInfo;
  status?: GeoServerStatus;
  plan?: PublicationPlan;
  result?: PublicationResult;
  /** Why the last request failed; worded at each drawing, in the language of the moment. */
  error?: unknown;
  busy: boolean;
  force: boolean;
}

function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  className: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  node.className = className;
  node.append(...children);
  return node;
}

function text(key: GeoServerMessageKey, values?: Record<string, string | number>) {
  return geoserverText(key, values);
}

function renderTable(headers: GeoServerMessageKey[], rows: ViewRow[]): HTMLElement {
  const head = element('tr', '', ...headers.map((key) => element('th', '', text(key))));
  const body = rows.map((row) =>
    element(
      'tr',
      `geoserver-admin__row--${row.tone}`,
      ...row.cells.map((cell) => element('td', '', cell)),
    ),
  );
  return element(
    'table',
    'geoserver-admin__table',
    element('thead', '', head),
    element('tbody', '', ...body),
  );
}

/** The plan and report an apply stopped by a failed step answers with its problem. */
function reportOfFailure(error: unknown): PublicationResult | undefined {
  if (!(error instanceof ProblemError)) return undefined;
  const { plan, report } = error.problem as Partial<PublicationResult>;
  return plan && report ? { plan, report } : undefined;
}

/**
 * Why a request failed: the problem's detail when the server wrote one, else as other pages
 * say it (no answer: the browser's English 'Failed to fetch' is not shown).
 */
function describeError(error: unknown): string {
  if (error instanceof ProblemError && error.problem.detail) return error.problem.detail;
  return failureReason(error);
}

/**
 * The GeoServer publication page at `#/admin/geoserver`, over the map: the last apply, the
 * plan on request, and the apply with its step-by-step report. Administrators only; a
 * visitor gets a login form.
 */
export function mountGeoServerAdmin(host: HTMLElement) {
  const page = element('section', 'geoserver-admin');
  page.hidden = true;
  page.setAttribute('aria-labelledby', 'geoserver-admin-title');
  host.append(page);
  const state: AdminState = { busy: false, force: false };

  async function run(task: () => Promise<void>) {
    state.busy = true;
    state.error = undefined;
    render();
    try {
      await task();
    } catch (error) {
      state.error = error;
    } finally {
      state.busy = false;
      render();
    }
  }

  const load = () =>
    run(async () => {
      state.session = await fetchSession();
      if (isAdmin()) state.status = await fetchGeoServerStatus();
    });

  const checkPlan = () =>
    run(async () => {
      state.result = undefined;
      state.plan = await fetchGeoServerPlan(state.force);
    });

  const applyPlan = () =>
    run(async () => {
      try {
        state.result = await applyGeoServerPlan(state.force, state.session?.csrfToken ?? null);
        state.plan = undefined;
      } catch (error) {
        // A failed step answers 502 with the report, which says in the page's language what
        // failed, what was done and what was not: it is shown in place of the problem's detail.
        state.result = reportOfFailure(error);
        if (!state.result) throw error;
        state.plan = undefined;
      } finally {
        // A refused or failed apply is recorded too: the last result must show it.
        state.status = await fetchGeoServerStatus().catch(() => state.status);
      }
    });

  function isAdmin() {
    return Boolean(state.session?.user?.roles.includes('admin'));
  }

  function renderLogin(): HTMLElement {
    // Called while the old form is still on the page: a redraw (a new language, a login on
    // its way) keeps what was typed.
    const typed = (field: string) =>
      page.querySelector<HTMLInputElement>(`.geoserver-admin__login [name=${field}]`)?.value;
    const name = element('input', '');
    const password = element('input', '');
    name.value = typed('name') ?? '';
    password.value = typed('password') ?? '';
    name.name = 'name';
    name.autocomplete = 'username';
    password.name = 'password';
    password.type = 'password';
    password.autocomplete = 'current-password';
    const form = element(
      'form',
      'geoserver-admin__login',
      element('p', '', text('loginNeeded')),
      element('label', '', text('userName'), name),
      element('label', '', text('password'), password),
      element('button', 'geoserver-admin__button', text('logIn')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void run(async () => {
        await logIn(name.value, password.value);
        state.session = await fetchSession();
        if (isAdmin()) state.status = await fetchGeoServerStatus();
      }).then(() => refreshSession().catch(() => undefined));
    });
    return form;
  }

  function renderStatus(status: GeoServerStatus): HTMLElement[] {
    const lines: HTMLElement[] = [];
    if (!status.configured) {
      lines.push(
        element(
          'p',
          'geoserver-admin__error',
          text('notConfigured', { problem: status.problem ?? '' }),
        ),
      );
    } else {
      lines.push(element('p', '', text('geoserver', { url: status.url ?? '' })));
    }
    lines.push(element('h3', '', text('lastResult')), ...renderLastRun(status));
    return lines;
  }

  /**
   * The last apply; a failed one plainly as such, with where it stopped, its steps done, failed
   * and not done (unless the report of this very apply is shown below), and the last success.
   */
  function renderLastRun({ lastApply: last, lastSuccess }: GeoServerStatus): HTMLElement[] {
    const failure = last && describeFailure(last);
    const summary = last ? describeRun(last) : text('noResult');
    if (!last || !failure) return [element('p', '', summary)];

    const lines: HTMLElement[] = [
      element('p', 'geoserver-admin__error', describeRun(last)),
      element('p', 'geoserver-admin__error', failure),
    ];
    const rows = listStepRows(last.report.report.steps);
    if (rows.length && !state.result) {
      const headers: GeoServerMessageKey[] = [
        'column.status',
        'column.action',
        'column.name',
        'column.fields',
      ];
      lines.push(renderTable(headers, rows));
    }
    const success = lastSuccess ? text('lastSuccess', { run: describeRun(lastSuccess) }) : null;
    lines.push(element('p', 'geoserver-admin__muted', success ?? text('noSuccess')));
    return lines;
  }

  function renderActions(): HTMLElement {
    const force = element('input', '');
    force.type = 'checkbox';
    force.checked = state.force;
    force.addEventListener('change', () => (state.force = force.checked));

    const planButton = element('button', 'geoserver-admin__button', text('plan'));
    planButton.type = 'button';
    planButton.disabled = state.busy || !state.status?.configured;
    planButton.addEventListener('click', () => void checkPlan());

    const hasChanges = Boolean(
      state.plan && state.plan.changes.some((c) => c.action !== 'unchanged'),
    );
    const applyButton = element(
      'button',
      'geoserver-admin__button geoserver-admin__button--primary',
      text('apply'),
    );
    applyButton.type = 'button';
    applyButton.disabled = state.busy || !hasChanges;
    applyButton.addEventListener('click', () => void applyPlan());

    const forceLabel = element('label', 'geoserver-admin__force', force, text('force'));
    return element('div', 'geoserver-admin__actions', planButton, applyButton, forceLabel);
  }

  function renderPlan(plan: PublicationPlan): HTMLElement[] {
    const parts: HTMLElement[] = [element('p', 'geoserver-admin__counts', describeCounts(plan))];
    if (plan.geoserver.transportWarning) {
      parts.push(element('p', 'geoserver-admin__error', plan.geoserver.transportWarning));
    }
    if (plan.geoserver.warning) {
      parts.push(
        element(
          'p',
          'geoserver-admin__error',
          text('warning', { warning: plan.geoserver.warning }),
        ),
      );
    }
    const rows = listPlanRows(plan);
    if (rows.length)
      parts.push(
        renderTable(['column.action', 'column.kind', 'column.name', 'column.fields'], rows),
      );
    if (plan.foreign.length) {
      const names = plan.foreign.map((item) => `${item.kind} ${item.name}`).join(', ');
      parts.push(element('p', 'geoserver-admin__muted', text('foreign', { names })));
    }
    return parts;
  }

  function renderResult(result: PublicationResult): HTMLElement[] {
    const { outcome, steps } = result.report;
    const parts: HTMLElement[] = [
      element('p', 'geoserver-admin__counts', text(`outcome.${outcome}` as GeoServerMessageKey)),
    ];
    const rows = listStepRows(steps);
    if (rows.length)
      parts.push(
        renderTable(['column.status', 'column.action', 'column.name', 'column.fields'], rows),
      );
    if (outcome === 'failed') parts.push(element('p', 'geoserver-admin__error', text('resume')));
    return parts;
  }

  function renderContent(): (Node | string)[] {
    if (!state.session) return [element('p', 'geoserver-admin__muted', text('loading'))];
    if (!state.session.user) return [renderLogin()];
    if (!isAdmin()) return [element('p', 'geoserver-admin__error', text('notAdmin'))];

    const parts: (Node | string)[] = [
      ...(state.status ? renderStatus(state.status) : []),
      renderActions(),
    ];
    if (state.busy) parts.push(element('p', 'geoserver-admin__muted', text('working')));
    if (state.plan) parts.push(...renderPlan(state.plan));
    if (state.result) parts.push(...renderResult(state.result));
    return parts;
  }

  function render() {
    if (page.hidden) return;
    const close = element('a', 'geoserver-admin__close', text('close'));
    close.href = '#/';
    const title = element('h2', '', text('title'));
    title.id = 'geoserver-admin-title';
    const error = state.error
      ? [element('p', 'geoserver-admin__error', describeError(state.error))]
      : [];
    page.replaceChildren(
      element('header', 'geoserver-admin__header', title, close),
      element('p', 'geoserver-admin__muted', text('intro')),
      ...error,
      ...renderContent(),
    );
  }

  function follow() {
    const wasHidden = page.hidden;
    page.hidden = location.hash !== pageHash;
    if (!page.hidden && wasHidden) void load();
  }

  /**
   * Someone else logged in, or the administrator logged out (from the app bar): the status,
   * plan and report read with their rights leave the page, and it asks again as the new caller.
   */
  function forgetSession({ user }: { user: string | null }) {
    if ((state.session?.user?.name ?? null) === user) return;
    state.session = undefined;
    state.status = undefined;
    state.plan = undefined;
    state.result = undefined;
    state.error = undefined;
    if (page.hidden) return;
    void load();
  }

  window.addEventListener('hashchange', follow);
  bus.on('language-change', render);
  bus.on('session-change', forgetSession);
  follow();
}
