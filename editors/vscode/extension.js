// Starts `paragraf lsp` for the YAML files under a rulebook's rules/ folder.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("paragraf");
  const [command, ...args] = config.get("command", ["paragraf", "lsp"]);
  const serverOptions = { command, args };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "yaml", pattern: "**/rules/**/*.yaml" }],
    initializationOptions: { lang: config.get("lang", "da") },
  };
  client = new LanguageClient("paragraf", "paragraf rule files", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
