/**
 * The only file that imports @vscode/webview-ui-toolkit (deprecated upstream since 2025-01-01):
 * swapping it for @vscode-elements/elements changes this file only. Each panel registers just the
 * components it uses; the rest are tree-shaken out of its bundle. `vscode-badge` and `vscode-tag`
 * are left out on purpose: their templates bind a `style` attribute, which the panels' CSP blocks.
 */
import { provideVSCodeDesignSystem } from '@vscode/webview-ui-toolkit';

export {
  vsCodeButton as buttonComponent,
  vsCodeCheckbox as checkboxComponent,
  vsCodeDivider as dividerComponent,
  vsCodeDropdown as dropdownComponent,
  vsCodeLink as linkComponent,
  vsCodeOption as optionComponent,
  vsCodePanels as panelsComponent,
  vsCodePanelTab as panelTabComponent,
  vsCodePanelView as panelViewComponent,
  vsCodeProgressRing as progressRingComponent,
  vsCodeTextArea as textAreaComponent,
  vsCodeTextField as textFieldComponent,
} from '@vscode/webview-ui-toolkit';

type Registry = Parameters<ReturnType<typeof provideVSCodeDesignSystem>['register']>[0];

/** Registers the toolkit components a panel uses (`registerComponents(buttonComponent, textFieldComponent)`). */
export function registerComponents(...factories: (() => Registry)[]): void {
  provideVSCodeDesignSystem().register(...factories.map((factory) => factory()));
}

/** The toolkit elements' tag names, for building them with `h()`. */
export type ToolkitTag =
  | 'vscode-button'
  | 'vscode-checkbox'
  | 'vscode-divider'
  | 'vscode-dropdown'
  | 'vscode-link'
  | 'vscode-option'
  | 'vscode-panels'
  | 'vscode-panel-tab'
  | 'vscode-panel-view'
  | 'vscode-progress-ring'
  | 'vscode-text-area'
  | 'vscode-text-field';

/** The value-bearing toolkit elements (text field, text area, dropdown, checkbox) as the DOM sees them. */
export interface ToolkitInput extends HTMLElement {
  value: string;
  checked: boolean;
  disabled: boolean;
}
