import { CLIENT_IDS, type ClientId } from "../../shared/discovery.js";

/** How each MCP client is called in the UI. */
export const CLIENT_NAMES: Record<ClientId | "manual", string> = {
  "claude-desktop": "Claude Desktop",
  "claude-code": "Claude Code",
  cursor: "Cursor",
  vscode: "VS Code",
  windsurf: "Windsurf",
  cline: "Cline",
  zed: "Zed",
  gemini: "Gemini CLI",
  codex: "Codex CLI",
  continue: "Continue",
  lmstudio: "LM Studio",
  goose: "Goose",
  manual: "Added in mcpscope",
};

/** The clients whose configs discovery reads, for the empty state. */
export const SUPPORTED_CLIENTS: readonly string[] = CLIENT_IDS.map((id) => CLIENT_NAMES[id]);

export function clientName(client: string): string {
  return (CLIENT_NAMES as Record<string, string>)[client] ?? client;
}
