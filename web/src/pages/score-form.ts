/**
 * The single-transaction form: V1..V28 in a compact grid plus Amount and Time. Inputs are text fields with a
 * decimal keyboard rather than `type=number`, whose value reads as "" for anything it cannot parse: the user's
 * text is kept exactly as typed, and the message says what is wrong with it.
 */
import { h, uid } from '../dom.js';
import { float32Text } from '../format.js';
import type { PredictRow } from '../types.js';

export const FEATURE_NAMES = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);
/** Largest finite float32, as the API checks. */
const FLOAT32_MAX = 3.4028234663852886e38;

export interface FieldRef {
  readonly name: string;
  readonly input: HTMLInputElement;
  readonly error: HTMLElement;
}

export interface ScoreForm {
  readonly element: HTMLFormElement;
  readonly fields: ReadonlyMap<string, FieldRef>;
  /** Fills the inputs from a row keyed by column name (Time, V1..V28, Amount). */
  fill(values: ReadonlyMap<string, number>): void;
  clear(): void;
  /** The request body, or null after marking every invalid field. */
  read(): PredictRow | null;
  /** Shows a message at a field (from the server) or, when `field` is null, for the whole form. */
  showError(field: string | null, message: string): void;
  clearErrors(): void;
}

/** Why `text` is not an acceptable value (null when it is), for a field that is `required` or optional. */
export function fieldProblem(text: string, required: boolean): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return required ? 'required: enter a number' : null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    return `"${trimmed.length > 20 ? `${trimmed.slice(0, 20)}…` : trimmed}" is not a number (use digits, "." and an optional exponent such as 1e-3)`;
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX)
    return 'is too large: the model computes in float32';
  return null;
}

function field(name: string, hint: string | null): FieldRef & { wrapper: HTMLElement } {
  const id = uid(`f-${name.toLowerCase()}`);
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name,
    type: 'text',
    inputmode: 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': errorId,
  });
  const error = h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, name, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null),
    input,
    error,
  );
  return { name, input, error, wrapper };
}

/** Builds the form; `needs` lists the optional columns the served model requires (Amount, Time). */
export function scoreForm(needs: ReadonlySet<string>, actions: HTMLElement): ScoreForm {
  const fields = new Map<string, FieldRef>();
  const grid = h('div', { class: 'feature-grid' });
  for (const name of FEATURE_NAMES) {
    const f = field(name, null);
    fields.set(name, f);
    grid.append(f.wrapper);
  }
  const extras = h('div', { class: 'extra-grid' });
  for (const name of ['Amount', 'Time']) {
    const f = field(name, needs.has(name) ? '(required by this model)' : '(optional)');
    fields.set(name, f);
    extras.append(f.wrapper);
  }
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const element = h(
    'form',
    { class: 'score-form', novalidate: true, 'aria-label': 'Transaction to score' },
    h('fieldset', {}, h('legend', {}, 'Features V1–V28 (PCA components of the Kaggle data)'), grid),
    h('fieldset', {}, h('legend', {}, 'Amount and time'), extras),
    formError,
    actions,
  );

  function setError(ref: FieldRef, message: string | null): void {
    ref.error.textContent = message ?? '';
    if (message === null) ref.input.removeAttribute('aria-invalid');
    else ref.input.setAttribute('aria-invalid', 'true');
  }

  const form: ScoreForm = {
    element,
    fields,
    fill(values) {
      form.clearErrors();
      for (const [name, ref] of fields) {
        const value = values.get(name);
        ref.input.value = value === undefined ? '' : float32Text(value);
      }
    },
    clear() {
      form.clearErrors();
      for (const ref of fields.values()) ref.input.value = '';
    },
    read() {
      form.clearErrors();
      let first: HTMLInputElement | null = null;
      for (const ref of fields.values()) {
        const required = FEATURE_NAMES.includes(ref.name) || needs.has(ref.name);
        const problem = fieldProblem(ref.input.value, required);
        setError(ref, problem);
        if (problem !== null) first ??= ref.input;
      }
      if (first !== null) {
        const count = element.querySelectorAll('[aria-invalid="true"]').length;
        formError.textContent = `${count} field${count === 1 ? ' needs' : 's need'} attention before scoring.`;
        first.focus();
        return null;
      }
      const value = (name: string): number | null => {
        const text = fields.get(name)?.input.value.trim() ?? '';
        return text === '' ? null : Number(text);
      };
      const row: PredictRow = { features: FEATURE_NAMES.map((name) => value(name) as number) };
      const amount = value('Amount');
      const time = value('Time');
      if (amount !== null) row.amount = amount;
      if (time !== null) row.time = time;
      return row;
    },
    showError(name, message) {
      const ref = name === null ? undefined : fields.get(name);
      if (ref === undefined) {
        formError.textContent = message;
        return;
      }
      setError(ref, message);
      formError.textContent = `The server refused ${ref.name}: see the field.`;
      ref.input.focus();
    },
    clearErrors() {
      formError.textContent = '';
      for (const ref of fields.values()) setError(ref, null);
    },
  };
  return form;
}

/**
 * The form field an API validation message is about: `features[3] must be …` → V4, `amount …` → Amount.
 * Null when the message names no single field.
 */
export function fieldOfMessage(message: string): string | null {
  const feature = /features\[(\d+)\]/.exec(message);
  if (feature) return `V${Number(feature[1]) + 1}`;
  if (/^(body\.)?amount\b/i.test(message) || /\bamount (must|is)\b/i.test(message)) return 'Amount';
  if (/^(body\.)?time\b/i.test(message) || /\btime (must|is)\b/i.test(message)) return 'Time';
  return null;
}
