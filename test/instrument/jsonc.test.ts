import { readFile, writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument, uninstrument } from "../../electron/monitor/instrument/instrument.js";
import { tempDir } from "../helpers/mcp.js";
import { APP_LAUNCHER, copyFixture, NODE_LAUNCHER, roundTrip, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-instrument-");
});
afterEach(() => dir.cleanup());

const data = () => `${dir.path}/data`;

describe("JSON with comments and trailing commas", () => {
  for (const launcher of [NODE_LAUNCHER, APP_LAUNCHER]) {
    const kind = launcher === NODE_LAUNCHER ? "npm launcher" : "app launcher";

    it(`Claude Desktop mcpServers: multi-line entry with comments (${kind})`, async () => {
      const file = await copyFixture(dir.path, "claude-desktop.json");
      const text = await roundTrip(
        server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]),
        data(),
        launcher,
      );
      expect(text).toContain('"globalShortcut": "Ctrl+Space",\n}');
      expect(text).toContain("// Claude Desktop: hand-edited");
    });

    it(`Cursor-style one-line entry stays on one line (${kind})`, async () => {
      const file = await copyFixture(dir.path, "claude-desktop.json");
      const text = await roundTrip(
        server("cursor", "memory", file, "jsonc", ["mcpServers", "memory"]),
        data(),
        launcher,
      );
      expect(text).toMatch(/"memory": \{ "command": "\/opt\/[^\n]*"args": \["\/opt\//);
    });

    it(`entry without args gets them (${kind})`, async () => {
      const file = await copyFixture(dir.path, "claude-desktop.json");
      await roundTrip(
        server("claude-desktop", "weather", file, "jsonc", ["mcpServers", "weather"]),
        data(),
        launcher,
      );
    });

    it(`VS Code servers: tabs and CRLF are kept (${kind})`, async () => {
      const file = await copyFixture(dir.path, "vscode-mcp.json");
      const text = await roundTrip(
        server("vscode", "github", file, "jsonc", ["servers", "github"]),
        data(),
        launcher,
      );
      expect(text.replace(/\r\n/g, "")).not.toContain("\n");
      expect(text).toContain('\r\n\t\t\t"env": {\r\n\t\t\t\t"GITHUB_TOKEN"');
    });

    it(`Claude Code nested projects[path].mcpServers (${kind})`, async () => {
      const file = await copyFixture(dir.path, "claude-code.json");
      await roundTrip(
        server("claude-code", "db", file, "jsonc", ["projects", "/home/me/app", "mcpServers", "db"]),
        data(),
        launcher,
      );
    });

    it(`Zed, older shape command: {path, args, env} (${kind})`, async () => {
      const file = await copyFixture(dir.path, "zed-settings.json");
      const text = await roundTrip(
        server("zed", "old-style", file, "jsonc", ["context_servers", "old-style"]),
        data(),
        launcher,
      );
      expect(text).toContain('"path": "/opt/');
    });

    it(`Zed, flat command + args (${kind})`, async () => {
      const file = await copyFixture(dir.path, "zed-settings.json");
      await roundTrip(
        server("zed", "flat-style", file, "jsonc", ["context_servers", "flat-style"]),
        data(),
        launcher,
      );
    });
  }

  it("VS Code settings.json, the older mcp.servers key, among other settings", async () => {
    const file = `${dir.path}/settings.json`;
    await writeFile(
      file,
      '{\n    "editor.fontSize": 14,\n    "mcp": {\n        "servers": {\n            "x": { "command": "node", "args": ["x.js"] }\n        }\n    },\n    "files.autoSave": "off" // trailing\n}',
    );
    await roundTrip(server("vscode", "x", file, "jsonc", ["mcp", "servers", "x"]), data(), APP_LAUNCHER);
  });

  it("a byte-order mark is kept", async () => {
    const file = await copyFixture(dir.path, "claude-desktop.json");
    await writeFile(file, `\uFEFF${await readFile(file, "utf8")}`);
    await roundTrip(
      server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]),
      data(),
      NODE_LAUNCHER,
    );
  });

  it("two entries instrumented and undone in either order leave the file as it was", async () => {
    const file = await copyFixture(dir.path, "claude-desktop.json");
    const original = await readFile(file);
    const files = server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]);
    const memory = server("claude-desktop", "memory", file, "jsonc", ["mcpServers", "memory"]);
    await instrument(files, { dataDir: data(), launcher: NODE_LAUNCHER });
    await instrument(memory, { dataDir: data(), launcher: APP_LAUNCHER });
    await uninstrument(files, { dataDir: data() });
    await uninstrument(memory, { dataDir: data() });
    expect((await readFile(file)).equals(original)).toBe(true);
  });
});
