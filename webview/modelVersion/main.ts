import { formatDateTime } from '../../src/shared/displayFormat';
import { describeRegistryEvent } from '../../src/shared/registryEvents';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import type {
  ModelVersionAction,
  ModelVersionData,
  ModelVersionFromWebview,
  ModelVersionInput,
  ModelVersionResults,
  ModelVersionToWebview,
  SignatureColumn,
} from '../../src/shared/protocol/modelVersionProtocol';
import { buttonComponent, registerComponents, textAreaComponent, type ToolkitInput } from '../common/components';
import { announce, h, replaceChildren } from '../common/dom';
import { PanelChannel } from '../common/vscodeApi';

registerComponents(buttonComponent, textAreaComponent);

type State = PanelState<ModelVersionInput, Record<string, never>>;
const channel = new PanelChannel<ModelVersionToWebview, ModelVersionFromWebview, ModelVersionResults, State>(onMessage);
let input: ModelVersionInput | undefined = channel.state?.input;
let data: ModelVersionData | undefined;
let draft: string | undefined;
let first = true;
const app = document.getElementById('app')!;
channel.ready();

function onMessage(message: Exclude<ModelVersionToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      channel.saveState({ input });
      data = message.data;
      render();
      if (first) {
        first = false;
        requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'modelVersion' } })));
      }
      return;
    case 'data':
      data = message.data;
      render();
      return;
    case 'failed':
      replaceChildren(app, h('div', { class: 'error-banner', role: 'alert' }, message.message));
      app.removeAttribute('aria-busy');
      return;
  }
}

function act(action: ModelVersionAction, alias?: string): void {
  channel.post({ type: 'action', action, ...(alias ? { alias } : {}) });
}

function columnsTable(caption: string, columns: SignatureColumn[]): HTMLElement | null {
  if (columns.length === 0) return null;
  return h(
    'table',
    { class: 'data' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Required'))),
    h('tbody', null, columns.map((c) => h('tr', null, h('td', null, c.name), h('td', null, h('code', null, c.type)), h('td', null, c.optional ? 'optional' : 'required')))),
  );
}

function render(): void {
  if (!data || !input) return;
  const { version, model } = data;
  const aliases = version.aliases ?? (model.aliases ?? []).filter((a) => a.version === version.version).map((a) => a.alias);
  const textArea = h('vscode-text-area', { class: 'description', rows: 4, resize: 'vertical', 'aria-label': 'Description', placeholder: 'Describe this version (Markdown is kept as text)' }) as ToolkitInput;
  textArea.value = draft ?? version.description ?? '';
  const save = h('vscode-button', { appearance: 'primary', disabled: true, onclick: () => void saveDescription(textArea.value) }, 'Save Description');
  const saveStatus = h('span', { class: 'muted', role: 'status' });
  textArea.addEventListener('input', () => {
    draft = textArea.value;
    save.toggleAttribute('disabled', textArea.value === (version.description ?? ''));
  });
  async function saveDescription(text: string): Promise<void> {
    save.toggleAttribute('disabled', true);
    saveStatus.textContent = 'Saving…';
    try {
      await channel.request({ type: 'saveDescription', text });
      draft = undefined;
      saveStatus.textContent = 'Saved.';
      announce('Description saved');
    } catch (e) {
      saveStatus.textContent = `Not saved: ${(e as Error).message}`;
      save.toggleAttribute('disabled', false);
    }
  }
  const history = (data.history ?? []).slice().reverse();
  const mlmodel = data.mlmodel;
  replaceChildren(
    app,
    h(
      'header',
      { class: 'version-head' },
      h('h1', null, `${input.name} `, h('span', { class: 'version' }, `version ${version.version}`)),
      h('span', { class: `stage stage-${version.current_stage.toLowerCase()}` }, version.current_stage === 'None' ? 'no stage' : version.current_stage),
      h('span', { class: 'aliases', role: 'list', 'aria-label': 'Aliases' }, aliases.map((alias) => h('span', { class: 'alias', role: 'listitem' }, h('span', { class: 'alias-name' }, `@${alias}`), h('button', { class: 'remove', 'aria-label': `Remove alias ${alias}`, title: `Remove @${alias}`, onclick: () => act('removeAlias', alias) }, '×')))),
      h('span', { class: 'spacer' }),
      h('vscode-button', { appearance: 'secondary', onclick: () => act('setAlias') }, 'Set Alias…'),
      h('vscode-button', { appearance: 'secondary', onclick: () => act('transitionStage') }, 'Transition Stage…'),
      h('vscode-button', { appearance: 'secondary', onclick: () => act('copyUri') }, 'Copy URI'),
    ),
    h(
      'div',
      { class: 'version-body' },
      h('section', { class: 'description-box' }, h('h2', null, 'Description'), textArea, h('div', { class: 'toolbar-row' }, save, saveStatus)),
      h(
        'div',
        { class: 'columns' },
        h(
          'table',
          { class: 'data kv' },
          h('caption', null, 'Version'),
          h(
            'tbody',
            null,
            [
              ['Status', version.status_message ? `${version.status} (${version.status_message})` : version.status],
              ['Registered', formatDateTime(version.creation_timestamp)],
              ['Last updated', formatDateTime(version.last_updated_timestamp)],
              ['User', version.user_id ?? ''],
              ['Source', h('code', null, version.source)],
              ['Source run', data.sourceRun ? h('button', { class: 'link', onclick: () => channel.post({ type: 'openRun', runId: data!.sourceRun!.runId }) }, data.sourceRun.name) : version.run_id ?? '—'],
            ]
              .filter(([, v]) => v !== '')
              .map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k as string), h('td', null, v as Node | string))),
          ),
        ),
        h('table', { class: 'data kv' }, h('caption', null, 'Tags'), h('tbody', null, (version.tags ?? []).length ? (version.tags ?? []).map((t) => h('tr', null, h('th', { scope: 'row' }, t.key), h('td', null, t.value))) : h('tr', null, h('td', { class: 'muted' }, 'No tags.')))),
      ),
      h(
        'section',
        null,
        h('h2', null, 'MLmodel'),
        mlmodel
          ? [
              h('p', { class: 'muted' }, h('code', null, mlmodel.location), mlmodel.mlflowVersion ? ` · written by MLflow ${mlmodel.mlflowVersion}` : '', mlmodel.utcTimeCreated ? ` · ${mlmodel.utcTimeCreated} UTC` : ''),
              h('div', { class: 'flavors' }, mlmodel.flavors.map((f) => h('div', { class: 'flavor' }, h('h3', null, f.name), h('table', { class: 'data kv' }, h('tbody', null, Object.entries(f.details).map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, h('code', null, v))))))))),
              mlmodel.signature
                ? h('div', { class: 'columns' }, columnsTable('Signature inputs', mlmodel.signature.inputs), columnsTable('Signature outputs', mlmodel.signature.outputs), columnsTable('Inference params', mlmodel.signature.params))
                : h('p', { class: 'muted' }, 'No signature logged with this model.'),
            ]
          : h('p', { class: 'muted' }, data.mlmodelError ?? 'No MLmodel found.'),
      ),
      h(
        'section',
        null,
        h('h2', null, 'Alias and stage history'),
        data.historyError
          ? h('p', { class: 'muted' }, data.historyError)
          : history.length
            ? h(
                'table',
                { class: 'data history' },
                h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Change'), h('th', { scope: 'col' }, 'By'))),
                h('tbody', null, history.map((e) => h('tr', { class: e.version === version.version || e.to === version.version || e.from === version.version ? 'this-version' : '' }, h('td', null, formatDateTime(e.timestamp)), h('td', null, describeRegistryEvent(e)), h('td', null, e.user_id ?? '')))),
              )
            : h('p', { class: 'muted' }, 'No alias or stage changes yet.'),
      ),
    ),
  );
  app.removeAttribute('aria-busy');
}
