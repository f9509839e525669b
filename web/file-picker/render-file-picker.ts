import { translate } from '../i18n/i18n.js';
import './file-picker.css';

/** What a file picker is for, and what it does with the file chosen. */
export interface FilePickerOptions {
  /** The id of the input, and its focus key; the chosen name is said in `${id}-name`. */
  id: string;
  /** The id of the text that names the field (its title, or the hint that asks for it). */
  labelledBy: string;
  /** The kinds of file offered, as the input's `accept` takes them. */
  accept: string;
  /** The name of the file chosen before: a picker drawn anew is empty. */
  chosenName?: string;
  onChoose: (file: File) => void;
}

/**
 * A file field in the interface language: the browser's own picker says 'Choose File' and
 * 'No file chosen' in its language. The input stays, out of sight, to take the keyboard's
 * focus and a screen reader's questions; a label drawn as a button opens it, and the chosen
 * file's name is said beside it.
 */
export function renderFilePicker(options: FilePickerOptions): HTMLElement {
  const input = document.createElement('input');
  input.className = 'file-picker__input';
  input.id = options.id;
  // a sheet drawn anew gives the focus back to the picker (see redrawKeepingFocus)
  input.dataset.focusKey = options.id;
  input.type = 'file';
  input.accept = options.accept;
  input.setAttribute('aria-labelledby', options.labelledBy);
  input.setAttribute('aria-describedby', `${options.id}-name`);
  input.addEventListener('change', () => {
    const chosen = input.files?.[0];
    if (chosen) options.onChoose(chosen);
  });

  const choose = document.createElement('label');
  choose.className = 'file-picker__button';
  choose.htmlFor = input.id;
  choose.textContent = translate('filePicker.choose');
  const name = document.createElement('span');
  name.className = 'file-picker__name';
  name.id = `${options.id}-name`;
  name.textContent = options.chosenName ?? translate('filePicker.noneChosen');

  const picker = document.createElement('span');
  picker.className = 'file-picker';
  picker.append(input, choose, name);
  return picker;
}
