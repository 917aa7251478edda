// Starts `actionplan lsp` for YAML files; the server itself ignores YAML that is not a case, and
// leaves schema completion to the YAML extension (redhat.vscode-yaml) running beside it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("actionplan").get("command");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server = { command, args, options: { cwd: folder } };
  client = new LanguageClient(
    "actionplan",
    "actionplan",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "yaml" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
