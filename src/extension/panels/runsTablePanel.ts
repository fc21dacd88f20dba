import { validateRunFilter } from '../../core/search/runFilter';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { RunAction } from '../../shared/protocol/panelMessages';
import {
  RUNS_TABLE_VIEW_TYPE,
  type ColumnLayout,
  type FilterCheck,
  type RunsTableFromWebview,
  type RunsTableInput,
  type RunsTableToWebview,
  type SortState,
  type TableData,
} from '../../shared/protocol/runsTableProtocol';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';

/** The registered command each webview run action runs (the same ones as the tree's). */
export const RUN_ACTION_COMMANDS: Record<RunAction, string> = {
  details: 'trackside.openRunDetails',
  charts: 'trackside.openRunCharts',
  compare: 'trackside.compareRuns',
};

/** Runs a run action through its registered command: details of the first run, charts or compare of all. */
export async function runAction(services: PanelServices, action: RunAction, runIds: readonly string[]): Promise<void> {
  if (runIds.length === 0) return;
  await services.executeCommand(RUN_ACTION_COMMANDS[action], action === 'details' ? runIds[0] : [...runIds]);
}

/** Runs sent first, so the first screen shows at once while the whole table is read. */
export const FIRST_PAGE_RUNS = 200;

/** The server's order_by for the table's sort column (undefined for columns only the webview can sort: duration, source, min/max/count). */
export function serverOrderBy(sort: SortState | undefined): string[] | undefined {
  if (!sort) return undefined;
  const colon = sort.column.indexOf(':');
  const kind = sort.column.slice(0, colon);
  const key = sort.column.slice(colon + 1).replace(/`/g, '');
  const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
  const attributes: Record<string, string> = { name: 'run_name', start: 'start_time', status: 'status', user: 'user_id' };
  const entity = { metric: 'metrics', param: 'params', tag: 'tags' }[kind];
  if (entity) return [`${entity}.\`${key}\` ${direction}`];
  if (kind === 'attribute' && attributes[key]) return [`attributes.${attributes[key]} ${direction}`];
  return undefined;
}

/** Where a table's column layout is kept (per experiment, or per set of experiments). */
export function layoutKey(experimentIds: readonly string[]): string {
  return `trackside.runsTable.layout:${[...experimentIds].sort().join(',')}`;
}

/**
 * The runs table of one experiment (or a search across several): the host reads the table in one
 * call (`runsTable`, SQL-built JSON on Trackside), validates filters with MLflow's grammar, keeps
 * column layouts per experiment, and re-reads the table when runs of it change.
 */
export class RunsTablePanel implements PanelLogic<RunsTableFromWebview> {
  private filter: string;
  private runIds = new Set<string>();
  private loads = 0;
  private readonly live: ReloadScheduler;

  constructor(
    private readonly input: RunsTableInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<RunsTableToWebview>,
    private readonly firstPageRuns = FIRST_PAGE_RUNS,
  ) {
    this.filter = input.filter ?? '';
    this.live = new ReloadScheduler(() => this.load(true), 1000);
  }

  async handle(message: RunsTableFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        // The first rows are read while init's lookups run, then posted after init.
        const first = this.readFirstPage();
        first.catch(() => undefined);
        await this.sendInit();
        await this.load(false, first);
        return;
      }
      case 'checkFilter':
        return this.view.respond(message.requestId, (): FilterCheck => checkFilter(message.filter));
      case 'applyFilter': {
        const check = checkFilter(message.filter);
        await this.view.respond(message.requestId, () => check);
        if (check.error) return;
        this.filter = message.filter.trim();
        await this.load(false);
        return;
      }
      case 'refresh':
        await this.load(false);
        return;
      case 'saveLayout':
        await this.services.memory.update(layoutKey(this.input.experimentIds), message.layout);
        return;
      case 'runAction':
        await runAction(this.services, message.action, message.runIds);
        return;
      case 'exportFile':
        return this.view.respond(message.requestId, async () => ({ saved: await this.services.saveExport(message) }));
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    const ours = new Set(this.input.experimentIds);
    const touched = events.some((event) => {
      if (event.type === 'runs') return event.experimentIds.some((id) => ours.has(id)) || event.runIds.some((id) => this.runIds.has(id));
      if (event.type === 'metrics') return Object.keys(event.runs).some((id) => this.runIds.has(id));
      if (event.type === 'experiments') return event.experimentIds.some((id) => ours.has(id));
      return false;
    });
    if (touched) this.live.schedule();
  }

  dispose(): void {
    this.live.dispose();
  }

  private async sendInit(): Promise<void> {
    const client = await this.services.client();
    const experiments = await Promise.all(
      this.input.experimentIds.map(async (id) => {
        try {
          return { id, name: (await client.experiments.get(id)).name };
        } catch {
          return { id, name: `Experiment ${id}` };
        }
      }),
    );
    this.view.setTitle(experiments.length === 1 ? `Runs: ${experiments[0].name}` : `Runs: ${experiments.length} experiments`);
    const hasSummaries = await client.hasExtra('runs-table').catch(() => false);
    const layout = this.services.memory.get<ColumnLayout>(layoutKey(this.input.experimentIds));
    this.view.post({ type: 'init', input: { ...this.input, filter: this.filter }, experiments, layout, hasSummaries });
  }

  /**
   * Reads the table and posts it; a newer load makes an older answer moot. A first load sends the
   * first runs at once (in the table's sort order when the server can sort by that column), then
   * the whole table.
   */
  private async load(live: boolean, firstPage?: Promise<TableData>): Promise<void> {
    const load = ++this.loads;
    const filter = this.filter;
    if (!live) this.view.post({ type: 'loading', filter });
    try {
      const client = await this.services.client();
      const request = this.request(filter);
      const started = Date.now();
      if (!live) {
        const first = await (firstPage ?? this.readFirstPage());
        if (load !== this.loads) return;
        const complete = first.runs.length < this.firstPageRuns;
        this.post(first, filter, false, !complete, started);
        if (complete) return;
      }
      const data: TableData = await client.runsTable(request);
      if (load !== this.loads) return;
      this.post(data, filter, live, false, started);
    } catch (e) {
      if (load !== this.loads) return;
      this.services.log.warn(`Runs table of ${this.input.experimentIds.join(', ')}: ${errorMessage(e)}`);
      this.view.post({ type: 'tableError', filter, message: errorMessage(e) });
    }
  }

  private request(filter: string): { experimentIds: string[]; filter?: string; viewType: 'ACTIVE_ONLY' } {
    return { experimentIds: this.input.experimentIds, filter: filter || undefined, viewType: 'ACTIVE_ONLY' };
  }

  /** The first runs, in the table's sort order when the server can sort by that column. */
  private async readFirstPage(): Promise<TableData> {
    const client = await this.services.client();
    const sort = this.services.memory.get<ColumnLayout>(layoutKey(this.input.experimentIds))?.sort;
    return client.runsTable({ ...this.request(this.filter), maxResults: this.firstPageRuns, orderBy: serverOrderBy(sort) });
  }

  private post(data: TableData, filter: string, live: boolean, partial: boolean, started: number): void {
    this.runIds = new Set(data.runs.map((run) => run.run_id));
    this.view.post({ type: 'table', data, filter, live, partial, loadedMs: Date.now() - started });
  }
}

/** MLflow's filter grammar (plus OR and parentheses), checked as a search would check it. */
export function checkFilter(filter: string): FilterCheck {
  const error = filter.trim() === '' ? undefined : validateRunFilter(filter);
  return error ? { error } : {};
}

function parseInput(value: unknown): RunsTableInput | undefined {
  const input = value as Partial<RunsTableInput> | undefined;
  if (!input || !Array.isArray(input.experimentIds) || input.experimentIds.length === 0) return undefined;
  if (!input.experimentIds.every((id) => typeof id === 'string')) return undefined;
  return { experimentIds: input.experimentIds, ...(typeof input.filter === 'string' ? { filter: input.filter } : {}) };
}

export const runsTablePanelKind: PanelKind<RunsTableInput, RunsTableToWebview, RunsTableFromWebview> = {
  viewType: RUNS_TABLE_VIEW_TYPE,
  bundle: 'runsTable',
  key: (input) => [...input.experimentIds].sort().join(','),
  title: (input) => (input.experimentIds.length === 1 ? 'Runs' : `Runs: ${input.experimentIds.length} experiments`),
  parseInput,
  create: (input, services, connection) => new RunsTablePanel(input, services, connection),
};
