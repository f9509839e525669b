/**
 * The history of one feature: every recorded version with who, when and from which client,
 * and a button to restore any earlier version as a new edit.
 */
import type { LayerDefinition } from '../../layers/types.js';
import type { HistoryEntry } from '../api/edit-api.js';
import { getLocale, pickTitle } from '../i18n/i18n.js';
import { formatFeatureName } from '../identify/format-value.js';
import { editText } from './edit-messages.js';

function entryLine(entry: HistoryEntry): string {
  const when = new Date(entry.changedAt).toLocaleString(getLocale());
  const what = editText(`history.${entry.operation}`);
  const version = entry.versionAfter ?? entry.versionBefore;
  const note = entry.note ? ` (${entry.note})` : '';
  return `v${version} · ${what} · ${entry.changedBy} · ${when} · ${entry.client}${note}`;
}

/**
 * Runs the restore a button of `dialog` asked for and closes the dialog once done; a restore
 * that fails says why in the dialog (`describe`), which stays open, and so does one the user
 * called off (`restore` answers false). One restore at a time: a second press meanwhile asks
 * nothing.
 */
function restoringFrom(dialog: HTMLDialogElement, describe: (error: unknown) => string) {
  const failure = document.createElement('p');
  failure.className = 'edit-form__problem';
  failure.setAttribute('role', 'alert');
  let restoring = false;
  const run = (restore: () => Promise<boolean | void>) => {
    if (restoring) return;
    restoring = true;
    failure.textContent = '';
    restore().then(
      (done) => (done === false ? (restoring = false) : dialog.close()),
      (error: unknown) => {
        restoring = false;
        failure.textContent = describe(error);
      },
    );
  };
  return { failure, run };
}

/**
 * Shows the versions of a feature; `restore(version)` is called when the user restores one
 * (the state after an insert or update, or the state a delete removed).
 */
export function showHistoryDialog(
  layer: LayerDefinition,
  featureId: number,
  entries: readonly HistoryEntry[],
  restore: (version: number) => Promise<boolean>,
  describe: (error: unknown) => string,
) {
  const dialog = document.createElement('dialog');
  dialog.className = 'edit-dialog history-dialog';
  const title = document.createElement('h2');
  title.textContent = `${pickTitle(layer)} · ${editText('history.title', { id: featureId })}`;
  const restoring = restoringFrom(dialog, describe);
  const list = document.createElement('ol');
  list.reversed = true;

  for (const entry of [...entries].reverse()) {
    const item = document.createElement('li');
    item.textContent = entryLine(entry);
    const version = entry.operation === 'delete' ? entry.versionBefore : entry.versionAfter;
    const isCurrent = entry === entries[entries.length - 1] && entry.operation !== 'delete';
    if (version !== null && !isCurrent) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = editText('history.restore', { version });
      button.addEventListener('click', () => restoring.run(() => restore(version)));
      item.append(' ', button);
    }
    list.append(item);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = editText('history.close');
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());

  dialog.append(title, list, restoring.failure, close);
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** The features whose latest recorded change is their deletion, from a layer's recent edits. */
export function deletedFeatures(changes: readonly HistoryEntry[]): HistoryEntry[] {
  const seen = new Set<number>();
  const deleted: HistoryEntry[] = [];
  for (const change of changes) {
    if (seen.has(change.featureId)) continue;
    seen.add(change.featureId);
    if (change.operation === 'delete') deleted.push(change);
  }
  return deleted;
}

/**
 * How a deleted feature is listed: its id and, when it had one, its name as the popup shows it
 * (a coded name such as a hazard type by its label in the current language).
 */
export function deletedFeatureName(layer: LayerDefinition, entry: HistoryEntry): string {
  const name = entry.propertiesBefore && formatFeatureName(layer, entry.propertiesBefore, '');
  return name ? `${entry.featureId} · ${name}` : String(entry.featureId);
}

/** Lists recently deleted features of a layer, each with a button to bring it back. */
export function showDeletedDialog(
  layer: LayerDefinition,
  deleted: readonly HistoryEntry[],
  restore: (entry: HistoryEntry) => Promise<void>,
  describe: (error: unknown) => string,
) {
  const dialog = document.createElement('dialog');
  dialog.className = 'edit-dialog history-dialog deleted-dialog';
  const restoring = restoringFrom(dialog, describe);
  const title = document.createElement('h2');
  title.textContent = `${pickTitle(layer)} · ${editText('deleted.title')}`;
  const list = document.createElement('ul');
  if (deleted.length === 0) list.append(editText('deleted.none'));
  for (const entry of deleted) {
    const item = document.createElement('li');
    item.textContent = `${deletedFeatureName(layer, entry)} · ${entryLine(entry)}`;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = editText('deleted.restore');
    button.addEventListener('click', () => restoring.run(() => restore(entry)));
    item.append(' ', button);
    list.append(item);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = editText('history.close');
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());

  dialog.append(title, list, restoring.failure, close);
  document.body.append(dialog);
  dialog.showModal();
}
