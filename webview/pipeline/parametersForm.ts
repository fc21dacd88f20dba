import { changedParameters } from '../../src/shared/pipeline/pipelineView';
import type { ParameterField } from '../../src/shared/protocol/pipelineProtocol';
import type { ToolkitInput } from '../common/components';
import { debounce, h, replaceChildren } from '../common/dom';

export interface ParametersFormCallbacks {
  /** Checks one field on the host (answers the message to show, if any). */
  validate(name: string, text: string): Promise<string | undefined>;
  /** The text changed (kept in the view state). */
  changed(values: Record<string, string>): void;
  /** "Run with these values". */
  run(): void;
}

/**
 * The parameters form, generated from the parameters cell: a checkbox for bools, a text field for
 * the rest (numbers, strings, Python literals), checked on the host as the person types. Fields
 * that differ from their default are marked; only they are injected.
 */
export class ParametersForm {
  readonly element = h('section', { class: 'parameters', 'aria-labelledby': 'parameters-title' });
  private fields: ParameterField[] = [];
  private values: Record<string, string> = {};
  private readonly inputs = new Map<string, ToolkitInput>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly rows = new Map<string, HTMLElement>();
  private readonly runButton = h('vscode-button', { class: 'run-with-values', onclick: () => this.callbacks.run() }, 'Run with These Values') as ToolkitInput;
  private readonly resetButton = h('vscode-button', { appearance: 'secondary', onclick: () => this.reset() }, 'Reset to Defaults') as ToolkitInput;
  private readonly validators = new Map<string, (text: string) => void>();

  constructor(private readonly callbacks: ParametersFormCallbacks) {}

  /** Draws the fields (after the document changed); `values` is the text to show per parameter. */
  render(fields: ParameterField[], values: Record<string, string>, revealLine: (line: number) => void): void {
    this.fields = fields;
    this.values = { ...values };
    this.inputs.clear();
    this.errors.clear();
    this.rows.clear();
    this.validators.clear();
    if (fields.length === 0) {
      replaceChildren(this.element, h('h2', { id: 'parameters-title' }, 'Parameters'), h('p', { class: 'muted' }, 'No parameters cell: mark one cell with # %% tags=["parameters"] to set values here.'));
      return;
    }
    replaceChildren(
      this.element,
      h('h2', { id: 'parameters-title' }, 'Parameters'),
      h('div', { class: 'parameter-grid' }, fields.map((field) => this.row(field, revealLine))),
      h('div', { class: 'action-row' }, this.runButton, this.resetButton, h('span', { class: 'muted changed-count', 'aria-live': 'polite' })),
    );
    this.markChanged();
  }

  /** The form's text per parameter. */
  current(): Record<string, string> {
    return { ...this.values };
  }

  /** Shows the host's messages per field (and clears the others). */
  showErrors(errors: Record<string, string>): void {
    for (const [name, element] of this.errors) this.setError(name, element, errors[name]);
    const first = Object.keys(errors).find((name) => this.inputs.has(name));
    if (first) this.inputs.get(first)!.focus();
  }

  setDisabled(disabled: boolean): void {
    this.runButton.disabled = disabled;
  }

  private row(field: ParameterField, revealLine: (line: number) => void): HTMLElement {
    const id = `parameter-${field.name}`;
    const error = h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    const type = field.typeName ?? (field.type === 'unknown' ? 'any' : field.type);
    const label = h('label', { for: id, class: 'parameter-name' }, field.name, h('span', { class: 'parameter-type' }, `: ${type}${field.nullable && !/None|Optional/.test(type) ? ' | None' : ''}`));
    const text = this.values[field.name] ?? field.defaultText;
    let input: ToolkitInput;
    if (field.field === 'checkbox') {
      input = h('vscode-checkbox', { id, 'aria-describedby': `${id}-error`, onchange: () => this.onInput(field, input.checked ? 'True' : 'False') }, field.name) as ToolkitInput;
      input.checked = text === 'True';
    } else {
      input = h('vscode-text-field', {
        id,
        class: `parameter-input kind-${field.field}`,
        'aria-describedby': `${id}-error`,
        placeholder: field.defaultText,
        ...(field.field === 'number' ? { inputmode: 'decimal' } : {}),
        oninput: () => this.onInput(field, input.value),
        onkeydown: (event: KeyboardEvent) => {
          if (event.key === 'Enter') this.callbacks.run();
        },
      }) as ToolkitInput;
      input.value = text;
    }
    this.inputs.set(field.name, input);
    this.errors.set(field.name, error);
    this.validators.set(
      field.name,
      debounce((value: string) => {
        void this.callbacks.validate(field.name, value).then((message) => {
          if (this.values[field.name] === value) this.setError(field.name, error, message);
        });
      }, 250),
    );
    const help = h(
      'div',
      { class: 'parameter-help muted' },
      h('span', { class: 'modified', title: `Default: ${field.defaultText}` }, 'changed ·'),
      field.help ? h('span', null, field.help) : null,
      h('button', { class: 'link line-link', title: `Show line ${field.line} in the editor`, onclick: () => revealLine(field.line) }, `line ${field.line}`),
    );
    const row = h('div', { class: 'parameter-row' }, label, h('div', { class: 'parameter-control' }, input, error, help));
    this.rows.set(field.name, row);
    return row;
  }

  private onInput(field: ParameterField, text: string): void {
    this.values[field.name] = text;
    this.markChanged();
    this.callbacks.changed(this.current());
    this.validators.get(field.name)?.(text);
  }

  private setError(name: string, element: HTMLElement, message: string | undefined): void {
    element.textContent = message ?? '';
    const input = this.inputs.get(name);
    input?.classList.toggle('invalid', !!message);
    if (message) input?.setAttribute('aria-invalid', 'true');
    else input?.removeAttribute('aria-invalid');
  }

  private markChanged(): void {
    const changed = new Set(changedParameters(this.fields, this.values));
    for (const [name, row] of this.rows) row.classList.toggle('changed', changed.has(name));
    const count = this.element.querySelector('.changed-count');
    if (count) count.textContent = changed.size === 0 ? 'Defaults from the parameters cell' : `${changed.size} changed: injected after the parameters cell`;
  }

  private reset(): void {
    for (const field of this.fields) {
      this.values[field.name] = field.defaultText;
      const input = this.inputs.get(field.name);
      if (!input) continue;
      if (field.field === 'checkbox') input.checked = field.defaultText === 'True';
      else input.value = field.defaultText;
    }
    this.showErrors({});
    this.markChanged();
    this.callbacks.changed(this.current());
  }
}
