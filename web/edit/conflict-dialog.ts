/**
 * The dialog shown when a save meets a newer version on the server (412): both versions side
 * by side, field by field, and the choice to keep one's own, take the server's, or merge per
 * field. Nothing is overwritten without this choice.
 */
import type { LayerDefinition } from '../../layers/types.js';
import type { EditableFeature } from '../api/edit-api.js';
import { pickTitle } from '../i18n/i18n.js';
import { formatAttributeValue } from '../identify/format-value.js';
import type { WorkingFeature } from './edit-session.js';
import { editText } from './edit-messages.js';

/** What the user chose; for a merge, the merged attributes and geometry. */
export type ConflictResolution =
  | { kind: 'mine' }
  | { kind: 'theirs' }
  | { kind: 'merge'; properties: Record<string, unknown>; geometry: WorkingFeature['geometry'] };

interface Row {
  field: string;
  title: string;
  mine: unknown;
  theirs: unknown;
}

function differingRows(layer: LayerDefinition, mine: WorkingFeature, theirs: EditableFeature) {
  const rows: Row[] = layer.attributes
    .filter((a) => !a.computed)
    .map((a) => ({
      field: a.name,
      title: pickTitle(a),
      mine: mine.properties[a.name] ?? null,
      theirs: theirs.properties[a.name] ?? null,
    }))
    .filter((row) => JSON.stringify(row.mine) !== JSON.stringify(row.theirs));
  if (JSON.stringify(mine.geometry) !== JSON.stringify(theirs.geometry)) {
    rows.push({
      field: 'geometry',
      title: editText('edit.geometry'),
      mine: mine.geometry,
      theirs: theirs.geometry,
    });
  }
  return rows;
}

function describe(layer: LayerDefinition, field: string, value: unknown): string {
  if (field === 'geometry') return `${(value as { type: string }).type}`;
  const attribute = layer.attributes.find((a) => a.name === field);
  return attribute && value !== null
    ? formatAttributeValue(attribute, value)
    : editText('edit.none');
}

function renderRow(layer: LayerDefinition, row: Row): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const name = `conflict-${row.field}`;
  const cell = (side: 'mine' | 'theirs') => {
    const td = document.createElement('td');
    const label = document.createElement('label');
    const radio = document.createElement('input');
    Object.assign(radio, { type: 'radio', name, value: side, checked: side === 'mine' });
    label.append(radio, ` ${describe(layer, row.field, row[side])}`);
    td.append(label);
    return td;
  };
  const title = document.createElement('th');
  title.scope = 'row';
  title.textContent = row.title;
  tr.append(title, cell('mine'), cell('theirs'));
  return tr;
}

function merged(dialog: HTMLDialogElement, rows: Row[], mine: WorkingFeature) {
  const properties = { ...mine.properties };
  let geometry = mine.geometry;
  for (const row of rows) {
    const chosen = dialog.querySelector<HTMLInputElement>(
      `input[name="conflict-${row.field}"]:checked`,
    );
    if (chosen?.value !== 'theirs') continue;
    if (row.field === 'geometry') geometry = row.theirs as WorkingFeature['geometry'];
    else properties[row.field] = row.theirs;
  }
  return { kind: 'merge' as const, properties, geometry };
}

/** Asks how to resolve the conflict of `mine` with the server's `theirs`. */
export function askConflictResolution(
  layer: LayerDefinition,
  mine: WorkingFeature,
  theirs: EditableFeature,
  who: string,
): Promise<ConflictResolution> {
  const dialog = document.createElement('dialog');
  dialog.className = 'edit-dialog conflict-dialog';
  const rows = differingRows(layer, mine, theirs);
  dialog.innerHTML = `<h2></h2><p></p><table><thead><tr><th></th><th></th><th></th></tr></thead><tbody></tbody></table><div class="edit-dialog__actions"></div>`;
  dialog.querySelector('h2')!.textContent = editText('conflict.title');
  dialog.querySelector('p')!.textContent = editText('conflict.intro', { who });
  const heads = dialog.querySelectorAll('thead th');
  heads[0]!.textContent = editText('conflict.field');
  heads[1]!.textContent = editText('conflict.mine');
  heads[2]!.textContent = editText('conflict.theirs');
  dialog.querySelector('tbody')!.append(...rows.map((row) => renderRow(layer, row)));

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
    button('conflict.keepMine', () => finish({ kind: 'mine' }));
    button('conflict.takeTheirs', () => finish({ kind: 'theirs' }));
    button('conflict.merge', () => finish(merged(dialog, rows, mine)));
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
  });
}
