// "Telemetry: Show Trace": starts `telemetry-injector view` on the workspace's event files (the
// telemetryInjector.traceFiles globs, else a file the user picks) and shows its page in a webview.
// The page is the same one `view --open` shows in a browser; the webview frames it from 127.0.0.1.
// Must never leave the viewer process running once its panel is closed.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

export type ViewerLauncher = { kind: 'bundled'; module: string } | { kind: 'executable'; command: string };

async function eventFiles(): Promise<string[]> {
  const globs = vscode.workspace.getConfiguration('telemetryInjector').get<string[]>('traceFiles', ['**/telemetry*.jsonl']);
  const found = new Set<string>();
  for (const glob of globs) for (const uri of await vscode.workspace.findFiles(glob, '**/node_modules/**', 50)) found.add(uri.fsPath);
  if (found.size > 0) return [...found];
  const picked = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'Telemetry events': ['jsonl'] }, title: 'Event files to show' });
  return (picked ?? []).map((uri) => uri.fsPath);
}

/** The page's address parameters for a function id (`path::qualified.name::kind[::n]`): its calls. */
export function viewerQuery(functionId: string): Record<string, string> {
  const [file = '', name = ''] = functionId.split('::');
  return { q: name, fn: name, file };
}

/** `query` is the page's address parameters: `q` pre-fills its search, `fn` and `file` open a function's calls. */
export async function showTrace(launcher: ViewerLauncher | undefined, output: vscode.LogOutputChannel, query?: Record<string, string>): Promise<void> {
  if (!launcher) {
    void vscode.window.showErrorMessage('Telemetry Injector: no server to run the trace viewer (see the output).');
    return;
  }
  const files = await eventFiles();
  if (files.length === 0) return;
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const args = [...files, '--port', '0'];
  const child: ChildProcess =
    launcher.kind === 'bundled'
      ? fork(launcher.module, args, { cwd, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      : spawn(launcher.command, ['view', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => output.info(`[view] ${text.trimEnd()}`));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        const found = /trace viewer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (found) resolve(found[1]!);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the viewer exited with code ${code}`)));
    });
  } catch (error) {
    void vscode.window.showErrorMessage(`Telemetry Injector: the trace viewer did not start (${error instanceof Error ? error.message : String(error)})`);
    return;
  }
  output.info(`trace viewer at ${url} for ${files.join(', ')}`);
  const external = (await vscode.env.asExternalUri(vscode.Uri.parse(url))).toString();
  const src = query ? `${external}?${new URLSearchParams(query).toString()}` : external;
  const panel = vscode.window.createWebviewPanel('telemetryInjector.trace', 'Telemetry trace', vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
  const origin = new URL(external).origin;
  panel.webview.html = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; frame-src ${origin};">
<style>html,body,iframe{margin:0;padding:0;border:0;width:100%;height:100vh;overflow:hidden}</style></head>
<body><iframe src="${src.replace(/"/g, '&quot;')}" title="Telemetry trace viewer"></iframe></body></html>`;
  panel.onDidDispose(() => child.kill());
}
