import * as vscode from 'vscode';
import type { ChangeEvent } from '../../shared/changeEvents';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { registerAlertRuleCommands } from './alertRuleCommands';
import { registerEditAlerts } from './alertsFile';
import { AlertService } from './alertService';
import { registerDriftCommands } from './driftCommands';
import { registerPerformanceCommands } from './performanceCommands';

/**
 * Monitoring and automation: the drift and performance checks, the model monitor, and the alert
 * service (rules in `.trackside/alerts.json`, notifications, run tags, retraining triggers).
 */
export function registerMonitoring(
  context: vscode.ExtensionContext,
  connection: ConnectionManager,
  live: { subscribe(listener: (events: ChangeEvent[]) => void): { dispose(): void } },
): vscode.Disposable[] {
  const alerts = new AlertService(context, connection, live);
  return [
    alerts,
    registerEditAlerts(),
    ...registerAlertRuleCommands(alerts, connection),
    registerCommand('trackside.reloadAlerts', 'Reload Alert Rules', async () => {
      await alerts.reload();
      const count = alerts.currentRules.length;
      void vscode.window.showInformationMessage(`${count} alert rule${count === 1 ? '' : 's'} active from .trackside/alerts.json.`);
      return alerts.currentRules;
    }),
    ...registerDriftCommands(context, connection),
    ...registerPerformanceCommands(context, connection, live),
  ];
}
