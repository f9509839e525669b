/**
 * The attribute form of a feature, generated from its layer declaration: a dropdown for each
 * coded domain, units beside numbers, required fields marked, computed ones read-only. The
 * checks are the server's own (`layers/validate-attributes.ts`), and problems, local or from
 * the server, are shown next to their field.
 */
import type { AttributeDefinition, LayerDefinition } from '../../layers/types.js';
import {
  checkAttributes,
  parseAttributeText,
  textMaxLength,
  type FeatureProblem,
} from '../../layers/validate-attributes.js';
import type { FieldProblem } from '../api/edit-api.js';
import { getLanguage, pickLabel, pickTitle } from '../i18n/i18n.js';
import { describeProblem } from '../i18n/problem-messages.js';
import { formatUnit } from '../i18n/units.js';
import { formatValueWithoutUnit } from '../identify/format-value.js';
import { editText } from './edit-messages.js';

export { describeProblem } from '../i18n/problem-messages.js';

/** A layer or a record table: what a form is generated from. */
export type FormDeclaration = Pick<LayerDefinition, 'id' | 'attributes' | 'attributeRules'>;

function element<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, className?: string) {
  const created = document.createElement(tag);
  if (className) created.className = className;
  return created;
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const created = element('option');
  created.value = value;
  created.textContent = label;
  created.selected = selected;
  return created;
}

function toLocalDateTime(value: unknown): string {
  if (typeof value !== 'string' || !value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** The choices of a coded or yes/no attribute, as [value, label in the interface language]. */
function choicesOf(attribute: AttributeDefinition): [string, string][] {
  if (attribute.domain)
    return attribute.domain.map((coded) => [coded.code, `${pickLabel(coded)} (${coded.code})`]);
  return [
    ['true', pickLabel({ labelId: 'Ya', labelEn: 'Yes' })],
    ['false', pickLabel({ labelId: 'Tidak', labelEn: 'No' })],
  ];
}

/** Puts the choices of `select` in the interface language; the chosen one stays chosen. */
function relabelChoices(attribute: AttributeDefinition, select: HTMLSelectElement) {
  const labels = new Map(choicesOf(attribute));
  labels.set('', editText('edit.none'));
  for (const choice of select.options) choice.textContent = labels.get(choice.value) ?? '';
}

function createInput(
  attribute: AttributeDefinition,
  value: unknown,
): HTMLInputElement | HTMLSelectElement {
  const absent = value === null || value === undefined;
  if (attribute.domain || attribute.type === 'boolean') {
    const select = element('select');
    if (!attribute.required || absent) select.append(option('', editText('edit.none'), absent));
    for (const [code, label] of choicesOf(attribute))
      select.append(option(code, label, String(value) === code));
    return select;
  }
  const input = element('input');
  if (attribute.computed) {
    // read, never typed: written as the popup writes it (2.286,53 in Indonesian), not as the
    // raw float the server sends (2286.532242968736)
    input.type = 'text';
    input.value = formatValueWithoutUnit(attribute, value);
    return input;
  }
  if (attribute.type === 'integer' || attribute.type === 'number') {
    // text, not type=number: Chromium's number input drops a typed decimal comma (8,25 became
    // 825) and reads 7e as empty, saved as no value; the shared reader takes 8,25 and 8.25
    // and names what it cannot read
    input.type = 'text';
    input.inputMode = 'decimal';
    input.value = absent ? '' : typedNumber(value);
    return input;
  }
  const types: Record<string, string> = { date: 'date', timestamp: 'datetime-local' };
  input.type = types[attribute.type] ?? 'text';
  const maxLength = textMaxLength(attribute);
  if (maxLength !== undefined) input.maxLength = maxLength;
  input.value =
    attribute.type === 'timestamp' ? toLocalDateTime(value) : absent ? '' : String(value);
  return input;
}

/** A stored number as a person types it: a decimal comma in Indonesian, never grouped. */
function typedNumber(value: unknown): string {
  const text = String(value);
  return getLanguage() === 'id' ? text.replace('.', ',') : text;
}

function fieldLabel(attribute: AttributeDefinition): HTMLElement {
  const label = element('span', 'edit-field__label');
  const unit = attribute.unit ? ` (${formatUnit(attribute.unit)})` : '';
  label.textContent = pickTitle(attribute) + unit;
  if (attribute.required) {
    const mark = element('abbr', 'edit-field__required');
    mark.textContent = '*';
    mark.title = editText('edit.required');
    label.append(' ', mark);
  }
  if (attribute.computed) {
    const note = element('small');
    note.textContent = ` · ${editText('edit.readOnly')}`;
    label.append(note);
  }
  return label;
}

/** The forms on the page, found by their element when the interface language changes. */
const formsByElement = new WeakMap<HTMLFormElement, AttributeForm>();

/** Puts every attribute form inside `root` in the interface language, keeping what is typed. */
export function relabelForms(root: HTMLElement) {
  for (const node of root.querySelectorAll<HTMLFormElement>('form.edit-form'))
    formsByElement.get(node)?.relabel();
}

/** A generated form for one feature. */
export class AttributeForm {
  readonly element = element('form', 'edit-form');
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private readonly problemSlots = new Map<string, HTMLElement>();
  /** The values the computed attributes are shown with, written again in a new language. */
  private readonly computedValues: Record<string, unknown>;
  /** The problems on show, described again in a new interface language. */
  private shownProblems: readonly FieldProblem[] = [];

  /**
   * `stored`: the feature's properties as the server holds them, for an edit of a saved
   * feature; a rule across two attributes whose values are left as stored is not checked.
   */
  constructor(
    readonly layer: FormDeclaration,
    properties: Record<string, unknown>,
    private readonly stored?: Record<string, unknown>,
  ) {
    this.computedValues = properties;
    this.element.noValidate = true;
    const general = element('p', 'edit-form__problem');
    general.setAttribute('role', 'alert');
    this.problemSlots.set('geometry', general);
    this.element.append(general);
    for (const attribute of layer.attributes)
      this.element.append(this.createField(attribute, properties));
    formsByElement.set(this.element, this);
  }

  private createField(attribute: AttributeDefinition, properties: Record<string, unknown>) {
    const field = element('label', 'edit-field');
    field.dataset.field = attribute.name;
    const input = createInput(attribute, properties[attribute.name]);
    input.name = attribute.name;
    input.disabled = !!attribute.computed;
    const problem = element('span', 'edit-field__problem');
    problem.setAttribute('aria-live', 'polite');

    field.append(fieldLabel(attribute), input, problem);
    this.inputs.set(attribute.name, input);
    this.problemSlots.set(attribute.name, problem);
    input.addEventListener('change', () => this.check());
    return field;
  }

  /** The typed values of the writable attributes, as the user entered them. */
  values(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const attribute of this.layer.attributes.filter((a) => !a.computed)) {
      const raw = this.inputs.get(attribute.name)!.value;
      if (attribute.domain) values[attribute.name] = raw === '' ? null : raw;
      else if (attribute.type === 'timestamp')
        values[attribute.name] = raw ? new Date(raw).toISOString() : null;
      else values[attribute.name] = parseAttributeText(attribute, raw);
    }
    return values;
  }

  /** Runs the shared checks, shows their problems, and returns them (none: valid). */
  check(): FeatureProblem[] {
    const { problems } = checkAttributes(
      this.layer,
      this.values(),
      'replace',
      'reject',
      this.stored,
    );
    this.showProblems(problems);
    return problems;
  }

  /**
   * Puts labels, choices and problems in the interface language. The inputs are left alone,
   * so what the user typed, saved or not, stays as it is.
   */
  relabel() {
    for (const attribute of this.layer.attributes) {
      const input = this.inputs.get(attribute.name)!;
      input.parentElement?.querySelector('.edit-field__label')?.replaceWith(fieldLabel(attribute));
      if (input instanceof HTMLSelectElement) relabelChoices(attribute, input);
      else if (attribute.computed) {
        input.value = formatValueWithoutUnit(attribute, this.computedValues[attribute.name]);
      }
    }
    this.showProblems(this.shownProblems);
  }

  /** Shows problems beside their fields (geometry and unknown fields at the top). */
  showProblems(problems: readonly FieldProblem[]) {
    this.shownProblems = problems;
    for (const slot of this.problemSlots.values()) slot.textContent = '';
    for (const input of this.inputs.values()) input.removeAttribute('aria-invalid');
    for (const problem of problems) {
      const slot = this.problemSlots.get(problem.field) ?? this.problemSlots.get('geometry')!;
      const text = describeProblem(problem, this.layer);
      slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
      this.inputs.get(problem.field)?.setAttribute('aria-invalid', 'true');
    }
  }
}
