/** Every client reader, in the order listings show them. */
import type { ClientReader } from "../types.js";
import { claudeCodeReader } from "./claude-code.js";
import { claudeDesktopReader } from "./claude-desktop.js";
import { clineReader } from "./cline.js";
import { codexReader } from "./codex.js";
import { continueReader } from "./continue.js";
import { cursorReader } from "./cursor.js";
import { geminiReader } from "./gemini.js";
import { gooseReader } from "./goose.js";
import { lmstudioReader } from "./lmstudio.js";
import { vscodeReader } from "./vscode.js";
import { windsurfReader } from "./windsurf.js";
import { zedReader } from "./zed.js";

export const CLIENT_READERS: readonly ClientReader[] = [
  claudeDesktopReader,
  claudeCodeReader,
  cursorReader,
  vscodeReader,
  windsurfReader,
  clineReader,
  zedReader,
  geminiReader,
  codexReader,
  continueReader,
  lmstudioReader,
  gooseReader,
];

/** How a client is called in messages ("Claude Desktop"), from its reader. */
export function clientDisplayName(client: string): string {
  return CLIENT_READERS.find((r) => r.id === client)?.displayName ?? client;
}
