/**
 * The records of the selected feature (condition surveys, inspections): the latest few of
 * each record table the feature's layer has, and a form generated from the table's
 * declaration to add a new one, which then becomes the feature's current state.
 */
import type { LayerDefinition, RecordTableDefinition } from '../../layers/types.js';
import { addRecord, ApiProblem, fetchRecords, type StoredRecord } from '../api/edit-api.js';
import { askToLogIn } from '../auth/mount-login.js';
import { pickTitle } from '../i18n/i18n.js';
import { formatAttributeValue } from '../identify/format-value.js';
import { AttributeForm } from './attribute-form.js';
import { editText, type EditMessageKey } from './edit-messages.js';

function summary(table: RecordTableDefinition, record: StoredRecord): string {
  const shown = table.attributes.filter((a) => a.name !== table.parent?.attribute).slice(0, 3);
  return shown
    .map((a) => {
      const value = record.properties[a.name];
      return value === null || value === undefined ? '—' : formatAttributeValue(a, value);
    })
    .join(' · ');
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Each shown table's block and what puts it in the interface language again. */
const relabelByBlock = new WeakMap<HTMLElement, () => void>();

async function renderTable(
  table: RecordTableDefinition,
  parentKey: string,
  onAdded: () => void,
): Promise<HTMLElement> {
  const block = document.createElement('div');
  block.className = 'edit-records';
  block.dataset.table = table.id;
  const title = document.createElement('h4');
  const list = document.createElement('ul');
  const records = await fetchRecords(table.id, parentKey).catch(() => []);
  const items = records.map(() => document.createElement('li'));
  list.append(...items);
  const relabel = () => {
    title.textContent = pickTitle(table);
    records.forEach((record, index) => (items[index]!.textContent = summary(table, record)));
  };
  relabel();
  relabelByBlock.set(block, relabel);

  const add = document.createElement('button');
  add.type = 'button';
  add.dataset.text = 'records.add';
  add.textContent = editText('records.add');
  // one new record at a time: each press appended another empty form, saved one by one
  let opened: HTMLElement | undefined;
  add.addEventListener('click', () => {
    if (!opened?.isConnected) block.append((opened = recordForm(table, parentKey, onAdded)));
    opened.querySelector<HTMLElement>('input, select, textarea')?.focus();
  });
  block.append(title, list, add);
  return block;
}

/** Why a record with no field to fix was not saved; undefined: the server's own words. */
function failureKeyOf(error: unknown): EditMessageKey | undefined {
  // fetch rejects with a TypeError when no answer came: offline, or the server unreachable
  if (error instanceof TypeError) return 'edit.offline';
  if (!(error instanceof ApiProblem)) throw error;
  if (error.status === 401 || error.type === 'csrf-token-missing') return 'edit.sessionEnded';
  if (error.status === 403) return 'records.forbidden';
  if (error.status >= 500) return 'edit.serverFailed';
  return undefined;
}

/** Shows why a record was not saved: beside its fields, or above the save button. */
function showRecordFailure(form: AttributeForm, failure: HTMLElement, error: unknown) {
  if (error instanceof ApiProblem && error.errors.length > 0)
    return form.showProblems(error.errors);

  const key = failureKeyOf(error);
  // with data-text the editor translates it again when the language changes
  if (key) failure.dataset.text = key;
  failure.textContent = key
    ? editText(key)
    : editText('edit.saveFailed', { detail: (error as Error).message });
  if (key === 'edit.sessionEnded') askToLogIn();
}

function recordForm(table: RecordTableDefinition, parentKey: string, onAdded: () => void) {
  const initial: Record<string, unknown> = {};
  if (table.parent) initial[table.parent.attribute] = parentKey;
  const time = table.attributes.find((a) => a.name === table.timeAttribute);
  if (time?.type === 'date') initial[time.name] = today();
  const form = new AttributeForm(table, initial);
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'primary';
  save.dataset.action = 'save-record';
  save.dataset.text = 'records.save';
  save.textContent = editText('records.save');
  const failure = document.createElement('p');
  failure.className = 'edit-form__problem';
  failure.setAttribute('role', 'alert');
  // one record at a time: a second press while the first awaited its answer added it twice
  let sending = false;
  save.addEventListener('click', () => {
    if (sending || form.check().length > 0) return;
    delete failure.dataset.text;
    failure.textContent = '';
    sending = true;
    save.setAttribute('aria-busy', 'true');
    addRecord(table.id, form.values())
      .then(onAdded, (error: unknown) => showRecordFailure(form, failure, error))
      .finally(() => {
        sending = false;
        save.removeAttribute('aria-busy');
      });
  });
  form.element.append(failure, save);
  return form.element;
}

/**
 * Puts the record tables in `slot` in the interface language from the records already read:
 * nothing is asked of the server again. Their buttons carry `data-text` and their forms are
 * attribute forms, both relabelled by the editor.
 */
export function relabelRecords(slot: HTMLElement) {
  for (const block of slot.querySelectorAll<HTMLElement>('.edit-records'))
    relabelByBlock.get(block)?.();
}

/**
 * Fills `slot` with the record tables of `layer` for the feature with these `properties` (its
 * key attribute names the records); `onAdded` runs after a record is saved.
 */
export async function renderRecords(
  slot: HTMLElement,
  layer: LayerDefinition,
  tables: readonly RecordTableDefinition[],
  properties: Record<string, unknown>,
  onAdded: () => void,
) {
  slot.replaceChildren();
  for (const table of tables.filter((t) => t.parent?.layerId === layer.id)) {
    const parentKey = properties[table.parent!.attribute];
    if (parentKey === null || parentKey === undefined) continue;
    slot.append(await renderTable(table, String(parentKey), onAdded));
  }
}
