/**
 * The dialog shown when a save meets a newer version on the server (412). It compares three
 * versions: the one the user started from, the user's and the server's. A field only someone
 * else changed keeps their value (shown as kept), a field only the user changed keeps the
 * user's; the fields both changed are the choice: keep one's own, take the server's, or pick
 * per field. Nothing is overwritten without this choice, and never with untouched stale values.
 */
import type { LayerDefinition } from '../../layers/types.js';
import { pickTitle } from '../i18n/i18n.js';
import { formatAttributeValue } from '../identify/format-value.js';
import { describeGeometry } from './describe-geometry.js';
import { editText } from './edit-messages.js';
import {
  mergeVersions,
  type FeatureVersion,
  type FieldVersions,
  type VersionComparison,
} from './merge-versions.js';

/** What the user chose; for their own or a per-field choice, the version to write. */
export type ConflictResolution =
  { kind: 'theirs' } | { kind: 'mine' | 'merge'; version: FeatureVersion };

function titleOf(layer: LayerDefinition, field: string): string {
  if (field === 'geometry') return editText('edit.geometry');
  const attribute = layer.attributes.find((a) => a.name === field);
  return attribute ? pickTitle(attribute) : field;
}

function describe(layer: LayerDefinition, field: string, value: unknown): string {
  if (field === 'geometry') return describeGeometry(value as { type: string });
  const attribute = layer.attributes.find((a) => a.name === field);
  return attribute && value !== null
    ? formatAttributeValue(attribute, value)
    : editText('edit.none');
}

function headerCell(layer: LayerDefinition, versions: FieldVersions) {
  const title = document.createElement('th');
  title.scope = 'row';
  title.textContent = titleOf(layer, versions.field);
  return title;
}

/** A field both changed: a choice between the two values, the user's checked. */
function renderConflict(layer: LayerDefinition, versions: FieldVersions): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.field = versions.field;
  const cell = (side: 'mine' | 'theirs') => {
    const td = document.createElement('td');
    const label = document.createElement('label');
    const radio = document.createElement('input');
    const name = `conflict-${versions.field}`;
    Object.assign(radio, { type: 'radio', name, value: side, checked: side === 'mine' });
    label.append(radio, ` ${describe(layer, versions.field, versions[side])}`);
    td.append(label);
    return td;
  };
  tr.append(headerCell(layer, versions), cell('mine'), cell('theirs'));
  return tr;
}

/** A field only one side changed: both values, and a note of whose is kept. */
function renderKept(layer: LayerDefinition, versions: FieldVersions, by: 'me' | 'them') {
  const tr = document.createElement('tr');
  tr.className = 'conflict-dialog__kept';
  tr.dataset.field = versions.field;
  const mine = document.createElement('td');
  mine.textContent = describe(layer, versions.field, versions.mine);
  const theirs = document.createElement('td');
  theirs.textContent = describe(layer, versions.field, versions.theirs);
  const note = document.createElement('small');
  note.textContent = ` ${editText(by === 'me' ? 'conflict.keptMine' : 'conflict.keptTheirs')}`;
  (by === 'me' ? mine : theirs).append(note);
  tr.append(headerCell(layer, versions), mine, theirs);
  return tr;
}

function chosenSide(dialog: HTMLDialogElement, field: string) {
  const chosen = dialog.querySelector<HTMLInputElement>(`input[name="conflict-${field}"]:checked`);
  return chosen?.value === 'theirs' ? 'theirs' : 'mine';
}

/**
 * Asks how to resolve a conflict with the server's `theirs`, given the comparison of the
 * three versions; `who` saved theirs.
 */
export function askConflictResolution(
  layer: LayerDefinition,
  comparison: VersionComparison,
  theirs: FeatureVersion,
  who: string,
): Promise<ConflictResolution> {
  const dialog = document.createElement('dialog');
  dialog.className = 'edit-dialog conflict-dialog';
  dialog.innerHTML = `<h2></h2><p></p><table><thead><tr><th></th><th></th><th></th></tr></thead><tbody></tbody></table><div class="edit-dialog__actions"></div>`;
  dialog.querySelector('h2')!.textContent = editText('conflict.title');
  dialog.querySelector('p')!.textContent = editText('conflict.intro', { who });
  const heads = dialog.querySelectorAll('thead th');
  heads[0]!.textContent = editText('conflict.field');
  heads[1]!.textContent = editText('conflict.mine');
  heads[2]!.textContent = editText('conflict.theirs');
  dialog
    .querySelector('tbody')!
    .append(
      ...comparison.conflicts.map((versions) => renderConflict(layer, versions)),
      ...comparison.changedByThem.map((versions) => renderKept(layer, versions, 'them')),
      ...comparison.changedByMe.map((versions) => renderKept(layer, versions, 'me')),
    );

  return new Promise((resolve) => {
    const finish = (resolution: ConflictResolution) => {
      dialog.close();
      dialog.remove();
      resolve(resolution);
    };
    const actions = dialog.querySelector('.edit-dialog__actions')!;
    const button = (
      key: 'conflict.keepMine' | 'conflict.takeTheirs' | 'conflict.merge',
      action: () => void,
    ) => {
      const created = document.createElement('button');
      created.type = 'button';
      created.dataset.action = key.split('.')[1];
      created.textContent = editText(key);
      created.addEventListener('click', action);
      actions.append(created);
    };
    const merged = (choose: (field: string) => 'mine' | 'theirs') =>
      mergeVersions(comparison, theirs, choose);
    button('conflict.keepMine', () => finish({ kind: 'mine', version: merged(() => 'mine') }));
    button('conflict.takeTheirs', () => finish({ kind: 'theirs' }));
    button('conflict.merge', () =>
      finish({ kind: 'merge', version: merged((field) => chosenSide(dialog, field)) }),
    );
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
  });
}
