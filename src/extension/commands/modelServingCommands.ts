import * as vscode from 'vscode';
import { servingInputExample } from '../../core/models/mlModelFile';
import { invokeModel, type InvocationAnswer } from '../../core/models/scoringRequest';
import type { ServingEndpoint } from '../../core/models/servingEndpoints';
import type { ConnectionManager } from '../connection/connectionManager';
import type { EndpointNode } from '../trees/servingSection';
import type { ModelsTreeProvider, VersionNode } from '../trees/modelsTreeProvider';
import { registerModelScoringCommands } from './modelScoringCommands';
import { ModelTools } from './modelTools';
import { pickModelVersion } from './pickers';
import { registerCommand } from './registerCommand';

const MESSAGE_PREVIEW = 160;

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > MESSAGE_PREVIEW ? `${text.slice(0, MESSAGE_PREVIEW - 1)}…` : text;
}

/**
 * Serving models locally (Serve Model Version…, Stop Serving, Send Test Request, the logs and URL of
 * each endpoint, and the "Serving" section of the Models view), plus batch scoring and A/B
 * comparison (modelScoringCommands.ts).
 */
export function registerModelServingCommands(context: vscode.ExtensionContext, connection: ConnectionManager, tree: ModelsTreeProvider): vscode.Disposable[] {
  const tools = new ModelTools(context, connection);
  const endpoints = tools.endpoints;

  /** The endpoint a command is about: its node, the served version of a VersionNode, or a pick. */
  const endpointOf = async (node: EndpointNode | VersionNode | undefined, title: string): Promise<ServingEndpoint | undefined> => {
    if (node?.kind === 'servingEndpoint') return node.endpoint;
    if (node?.kind === 'modelVersion') {
      const served = endpoints.forModel({ name: node.model, version: node.version.version, uri: '' });
      if (served) return served;
      const choice = await vscode.window.showInformationMessage(`${node.model} v${node.version.version} is not being served.`, 'Serve It');
      return choice ? ((await vscode.commands.executeCommand('trackside.serveModel', node)) as ServingEndpoint | undefined) : undefined;
    }
    const running = endpoints.list();
    if (running.length === 0) {
      void vscode.window.showInformationMessage('No model is being served. Start one with "Trackside: Serve Model Version…".');
      return undefined;
    }
    if (running.length === 1) return running[0];
    const pick = await vscode.window.showQuickPick(running.map((e) => ({ label: e.label, description: e.url, e })), { title, placeHolder: 'Endpoint' });
    return pick?.e;
  };

  const sendTestRequest = async (endpoint: ServingEndpoint): Promise<InvocationAnswer | undefined> => {
    const payload = await servingInputExample(endpoint.model.mlModel);
    if (!payload) {
      void vscode.window.showWarningMessage(
        `${endpoint.label} was logged without an input example, so there is no test request to send: log it with input_example=… or POST to ${endpoint.url}/invocations yourself.`,
      );
      return undefined;
    }
    const channel = tools.channel(endpoint.id, endpoint.label);
    channel.appendLine(`> POST ${endpoint.url}/invocations ${JSON.stringify(payload)}`);
    const answer = await invokeModel(endpoint.url, payload);
    channel.appendLine(`< ${answer.status} in ${answer.ms.toFixed(1)} ms: ${JSON.stringify(answer.body)}`);
    const open = 'Show Logs';
    const message =
      answer.status === 200
        ? vscode.window.showInformationMessage(`${endpoint.label} answered in ${answer.ms.toFixed(0)} ms: ${preview(answer.body)}`, open)
        : vscode.window.showWarningMessage(
            `${endpoint.label} answered ${answer.status}: ${(answer.body as { message?: string })?.message ?? preview(answer.body)}`,
            open,
          );
    void message.then((choice) => choice === open && channel.show(true));
    return answer;
  };

  return [
    tools,
    tree.attachServing(endpoints),
    endpoints.onDidChange(() => void vscode.commands.executeCommand('setContext', 'trackside.serving', endpoints.list().length > 0)),
    registerCommand('trackside.serveModel', 'Serve Model Version', async (node?: VersionNode, portArg?: number) => {
      const target = node ? { model: node.model, version: node.version } : await pickModelVersion(await connection.client(), 'Serve Model Version');
      if (!target) return undefined;
      const uri = `models:/${target.model}/${target.version.version}`;
      const running = endpoints.forModel({ name: target.model, version: target.version.version, uri });
      if (running) {
        void vscode.window.showInformationMessage(`${running.label} is already served at ${running.url}.`);
        return running;
      }
      const endpoint = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Serving ${target.model} v${target.version.version}` },
        async (progress) => {
          progress.report({ message: 'fetching the model…' });
          const model = await tools.fetch(uri);
          progress.report({ message: `starting ${model.mlModel.primaryFlavor} in Python…` });
          const channel = tools.channel(`${target.model}/${target.version.version}`, `${target.model} v${target.version.version}`);
          channel.appendLine(`Serving ${uri} from ${model.folder}`);
          return endpoints.serve(await tools.runtime(), model, { port: portArg, onLog: (line) => channel.appendLine(line) });
        },
      );
      endpoint.server.onExit((code, signal) => {
        if (signal !== 'SIGTERM' && code !== 0) {
          void vscode.window.showWarningMessage(`The scoring server of ${endpoint.label} stopped (${signal ?? `exit code ${code}`}).`, 'Show Logs').then((choice) => {
            if (choice) tools.channel(endpoint.id, endpoint.label).show(true);
          });
        }
      });
      const test = 'Send Test Request';
      void vscode.window.showInformationMessage(`Serving ${endpoint.label} at ${endpoint.url}`, test, 'Copy URL').then((choice) => {
        if (choice === test) void vscode.commands.executeCommand('trackside.sendTestRequest', { kind: 'servingEndpoint', endpoint });
        else if (choice) void vscode.env.clipboard.writeText(`${endpoint.url}/invocations`);
      });
      return endpoint;
    }),
    registerCommand('trackside.stopServing', 'Stop Serving', async (node?: EndpointNode) => {
      const endpoint = await endpointOf(node, 'Stop Serving');
      if (!endpoint) return;
      await endpoints.stop(endpoint.id);
      tools.channel(endpoint.id, endpoint.label).appendLine('Stopped.');
    }),
    registerCommand('trackside.sendTestRequest', 'Send Test Request', async (node?: EndpointNode | VersionNode) => {
      const endpoint = await endpointOf(node, 'Send Test Request');
      return endpoint ? sendTestRequest(endpoint) : undefined;
    }),
    registerCommand('trackside.showServingLogs', 'Show Serving Logs', async (node?: EndpointNode) => {
      const endpoint = await endpointOf(node, 'Show Serving Logs');
      if (endpoint) tools.channel(endpoint.id, endpoint.label).show(true);
    }),
    registerCommand('trackside.copyServingUrl', 'Copy Invocations URL', async (node?: EndpointNode) => {
      const endpoint = await endpointOf(node, 'Copy Invocations URL');
      if (!endpoint) return;
      await vscode.env.clipboard.writeText(`${endpoint.url}/invocations`);
      void vscode.window.showInformationMessage(`Copied ${endpoint.url}/invocations`);
    }),
    ...registerModelScoringCommands(connection, tree, tools),
  ];
}
