/**
 * Login and logout from the app bar: a button that opens a small login dialog, and once
 * logged in shows who is logged in and logs out. Other features follow the session through
 * `onSessionChange`, and drop what they read as someone else on the bus's `session-change`.
 */
import { ApiProblem, fetchSession, logIn, logOut, type Session } from '../api/edit-api.js';
import { bus } from '../events/event-bus.js';
import { editText } from '../edit/edit-messages.js';
import './auth.css';

type SessionListener = (session: Session) => void;

const listeners = new Set<SessionListener>();
let current: Session = { user: null, csrfToken: null, editableLayers: [] };
/** False until the server said who is asking: what was read before was read as that user. */
let known = false;

/** Checks asked before the app bar logs out (unsaved edits); one answering false stops it. */
const logoutChecks = new Set<() => boolean>();

/** Adds a check asked before a logout from the app bar; returns the function removing it. */
export function checkBeforeLogout(check: () => boolean) {
  logoutChecks.add(check);
  return () => logoutChecks.delete(check);
}

let loginDialog: HTMLDialogElement | undefined;

/**
 * Opens the login dialog, with the last user's name filled in: for a session that ended while
 * its user was working (a save answered 401), so they log in again without losing their work.
 */
export function askToLogIn() {
  if (!loginDialog || loginDialog.open) return;
  const name = loginDialog.querySelector<HTMLInputElement>('input[name=name]')!;
  if (!name.value) name.value = current.user?.name ?? '';
  loginDialog.showModal();
}

/** Calls `listener` now and whenever the user logs in or out; returns the unsubscribe. */
export function onSessionChange(listener: SessionListener) {
  listeners.add(listener);
  listener(current);
  return () => listeners.delete(listener);
}

function publish(session: Session) {
  const user = session.user?.name ?? null;
  const changed = known && user !== (current.user?.name ?? null);
  known = true;
  current = session;
  for (const listener of listeners) listener(session);
  if (changed) bus.emit('session-change', { user });
}

/**
 * Tabs of the site share the session cookie, so a login or logout in one tab changes who the
 * others ask as: each tab tells the others, which read the session again and drop what they
 * read as someone else, instead of finding out at their next refused request.
 */
let otherTabs: BroadcastChannel | undefined;

function listenToOtherTabs() {
  if (typeof BroadcastChannel === 'undefined') return;
  otherTabs = new BroadcastChannel('simpul-session');
  otherTabs.addEventListener('message', () => void fetchSession().then(publish, () => undefined));
}

/** Passes on a session this tab changed itself, and tells the other tabs when the user changed. */
function publishOwn(session: Session) {
  const before = current.user?.name ?? null;
  publish(session);
  if ((session.user?.name ?? null) !== before) otherTabs?.postMessage('session-change');
}

/**
 * Reads the session again and passes it on as the app bar's own login would: for a login made
 * elsewhere on the page (the GeoServer admin page has its own form), so that the app bar and
 * every feature following the session learn of it.
 */
export async function refreshSession(): Promise<void> {
  publishOwn(await fetchSession());
}

function createDialog(): HTMLDialogElement {
  const dialog = document.createElement('dialog');
  dialog.className = 'edit-dialog login-dialog';
  dialog.innerHTML = `<form method="dialog">
      <h2 data-text="auth.title"></h2>
      <label><span data-text="auth.name"></span>
        <input name="name" autocomplete="username" autocapitalize="none" required></label>
      <label><span data-text="auth.password"></span>
        <input name="password" type="password" autocomplete="current-password" required></label>
      <p class="login-dialog__problem" role="alert"></p>
      <div class="edit-dialog__actions">
        <button type="button" value="cancel" data-text="auth.cancel"></button>
        <button type="submit" class="primary" data-text="auth.submit"></button>
      </div>
    </form>`;
  relabelDialog(dialog);
  document.body.append(dialog);
  return dialog;
}

/** Puts the dialog's texts (its problem included) in the interface language; inputs stay. */
function relabelDialog(dialog: HTMLDialogElement) {
  for (const node of dialog.querySelectorAll<HTMLElement>('[data-text]')) {
    node.textContent = editText(node.dataset.text as Parameters<typeof editText>[0]);
  }
}

/**
 * Why a login failed: a wrong name or password only when the server said so; no answer (fetch
 * rejects with a TypeError) and a server failure (the database down: 503) are said as such,
 * where every failure read 'wrong user name or password'.
 */
function loginFailureKey(error: unknown) {
  if (error instanceof TypeError) return 'auth.offline';
  // an answer that could not be read (no JSON) is the server's trouble too
  if (!(error instanceof ApiProblem) || error.status >= 500) return 'auth.serverFailed';
  if (error.status === 429) return 'auth.tooMany';
  return 'auth.failed';
}

async function submitLogin(dialog: HTMLDialogElement) {
  const form = dialog.querySelector('form')!;
  const problem = dialog.querySelector<HTMLElement>('.login-dialog__problem')!;
  const data = new FormData(form);
  try {
    publishOwn(await logIn(String(data.get('name')), String(data.get('password'))));
    form.reset();
    delete problem.dataset.text;
    problem.textContent = '';
    dialog.close();
  } catch (error) {
    const key = loginFailureKey(error);
    problem.dataset.text = key;
    problem.textContent = editText(key);
  }
}

/**
 * Mounts the login button at the start of `container` (the app bar's account part, before the
 * language switch) and reads the current session.
 */
export function mountLogin(container: HTMLElement) {
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'login-button';
  button.className = 'app-bar__button app-bar__button--text';
  container.prepend(button);
  const dialog = createDialog();
  loginDialog = dialog;

  const render = () => {
    const user = current.user;
    button.textContent = user
      ? `${user.name} · ${editText('auth.logout')}`
      : editText('auth.login');
    button.title = user ? editText('auth.signedInAs', { name: user.name }) : '';
  };
  onSessionChange(render);
  bus.on('language-change', () => {
    render();
    relabelDialog(dialog);
  });

  button.addEventListener('click', () => {
    if (!current.user) {
      dialog.showModal();
      return;
    }
    for (const check of logoutChecks) if (!check()) return;
    void logOut().then(() => publishOwn({ user: null, csrfToken: null, editableLayers: [] }));
  });
  dialog.querySelector('form')!.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitLogin(dialog);
  });
  dialog.querySelector('button[value="cancel"]')!.addEventListener('click', () => dialog.close());

  listenToOtherTabs();
  void fetchSession().then(publish, () => undefined);
}
