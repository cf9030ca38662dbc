// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are the literal ${…} references clients write
/**
 * What discovery must find in test/fixtures/homes/linux (with projects/app as a project folder): every
 * entry, in order, with secrets masked. Paths are relative to the fixture home; `at` is the key path of
 * the entry inside its file, which instrumenting edits.
 */
const M = "[masked:named-secret]";
const NPX_FS = ["-y", "@modelcontextprotocol/server-filesystem"];

export interface Expected {
  client: string;
  scope: string;
  name: string;
  transport: "stdio" | "http" | "sse";
  file: string;
  at: Array<string | number>;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  instrumented?: boolean;
}

const DESKTOP = ".config/Claude/claude_desktop_config.json";
const VSCODE = ".config/Code/User";
const CLINE = `${VSCODE}/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`;
const APP = "projects/app";

// biome-ignore format: one entry per line reads as a table
export const EXPECTED_LINUX: Expected[] = [
  { client: "claude-desktop", scope: "user", name: "filesystem", transport: "stdio", file: DESKTOP, at: ["mcpServers", "filesystem"], command: "npx", args: [...NPX_FS, "/home/me/Documents", "/home/me/Desktop"] },
  { client: "claude-desktop", scope: "user", name: "github", transport: "stdio", file: DESKTOP, at: ["mcpServers", "github"], command: "docker", args: ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"], env: { GITHUB_PERSONAL_ACCESS_TOKEN: M } },
  { client: "claude-code", scope: "user", name: "sentry", transport: "http", file: ".claude.json", at: ["mcpServers", "sentry"], url: "https://mcp.sentry.dev/mcp", headers: { Authorization: M } },
  { client: "claude-code", scope: "user", name: "memory", transport: "stdio", file: ".claude.json", at: ["mcpServers", "memory"], command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
  { client: "claude-code", scope: "local", name: "db", transport: "stdio", file: ".claude.json", at: ["projects", "/home/me/app", "mcpServers", "db"], command: "uvx", args: ["mcp-server-postgres", "--dsn", `postgresql://app:[masked:url-password]@localhost:5432/app`], env: { PGPASSWORD: M, NODE_ENV: "development" } },
  { client: "claude-code", scope: "project", name: "linear", transport: "sse", file: `${APP}/.mcp.json`, at: ["mcpServers", "linear"], url: "https://mcp.linear.app/sse" },
  { client: "claude-code", scope: "project", name: "api-docs", transport: "stdio", file: `${APP}/.mcp.json`, at: ["mcpServers", "api-docs"], command: "node", args: ["./tools/docs-server.js"], env: { DOCS_API_KEY: "${DOCS_API_KEY}" } },
  { client: "cursor", scope: "user", name: "files", transport: "stdio", file: ".cursor/mcp.json", at: ["mcpServers", "files"], command: "mcpscope", args: ["run", "--name", "files", "--client", "cursor", "--", "npx", ...NPX_FS, "/tmp"], instrumented: true },
  { client: "cursor", scope: "user", name: "openai-tools", transport: "stdio", file: ".cursor/mcp.json", at: ["mcpServers", "openai-tools"], command: "npx", args: ["-y", "openai-mcp", "--api-key", M], env: { OPENAI_BASE_URL: "https://api.openai.com/v1" } },
  { client: "cursor", scope: "user", name: "context7", transport: "http", file: ".cursor/mcp.json", at: ["mcpServers", "context7"], url: "https://mcp.context7.com/mcp", headers: { CONTEXT7_API_KEY: M } },
  { client: "vscode", scope: "user", name: "github", transport: "http", file: `${VSCODE}/mcp.json`, at: ["servers", "github"], url: "https://api.githubcopilot.com/mcp/", headers: { Authorization: "Bearer ${input:github-token}" } },
  { client: "vscode", scope: "user", name: "fetch", transport: "stdio", file: `${VSCODE}/mcp.json`, at: ["servers", "fetch"], command: "uvx", args: ["mcp-server-fetch"], env: { PATH: "${env:PATH}", LOG_LEVEL: "info" } },
  { client: "vscode", scope: "user", name: "time", transport: "stdio", file: `${VSCODE}/settings.json`, at: ["mcp", "servers", "time"], command: "uvx", args: ["mcp-server-time", "--local-timezone=Europe/Paris"] },
  { client: "vscode", scope: "user", name: "playwright", transport: "stdio", file: ".config/Code - Insiders/User/mcp.json", at: ["servers", "playwright"], command: "npx", args: ["@playwright/mcp@latest"] },
  { client: "vscode", scope: "workspace", name: "perplexity", transport: "stdio", file: `${APP}/.vscode/mcp.json`, at: ["servers", "perplexity"], command: "npx", args: ["-y", "server-perplexity-ask"], env: { PERPLEXITY_API_KEY: "${input:perplexity-key}" } },
  { client: "windsurf", scope: "user", name: "git", transport: "stdio", file: ".codeium/windsurf/mcp_config.json", at: ["mcpServers", "git"], command: "uvx", args: ["mcp-server-git", "--repository", "/home/me/app"] },
  { client: "windsurf", scope: "user", name: "zapier", transport: "sse", file: ".codeium/windsurf/mcp_config.json", at: ["mcpServers", "zapier"], url: "https://actions.zapier.com/mcp/[masked:sk-key]/sse" },
  { client: "windsurf", scope: "user", name: "github-remote", transport: "http", file: ".codeium/windsurf/mcp_config.json", at: ["mcpServers", "github-remote"], url: "https://api.githubcopilot.com/mcp/", headers: { Authorization: M } },
  { client: "cline", scope: "user", name: "brave-search", transport: "stdio", file: CLINE, at: ["mcpServers", "brave-search"], command: "npx", args: ["-y", "@modelcontextprotocol/server-brave-search"], env: { BRAVE_API_KEY: M } },
  { client: "cline", scope: "user", name: "weather", transport: "sse", file: CLINE, at: ["mcpServers", "weather"], url: "http://localhost:8080/events" },
  { client: "cline", scope: "user", name: "notion", transport: "http", file: CLINE, at: ["mcpServers", "notion"], url: "https://mcp.notion.com/mcp" },
  { client: "zed", scope: "user", name: "sqlite", transport: "stdio", file: ".config/zed/settings.json", at: ["context_servers", "sqlite"], command: "uvx", args: ["mcp-server-sqlite", "--db-path", "/home/me/test.db"] },
  { client: "zed", scope: "user", name: "hexdocs-mcp", transport: "stdio", file: ".config/zed/settings.json", at: ["context_servers", "hexdocs-mcp"], command: "npx", args: ["-y", "hexdocs-mcp@0.5.0"], env: { HEXDOCS_TOKEN: M } },
  { client: "zed", scope: "user", name: "remote-docs", transport: "http", file: ".config/zed/settings.json", at: ["context_servers", "remote-docs"], url: "https://docs.example.com/mcp", headers: { "X-Team": "core" } },
  { client: "gemini", scope: "user", name: "pythonTools", transport: "stdio", file: ".gemini/settings.json", at: ["mcpServers", "pythonTools"], command: "python", args: ["-m", "my_mcp_server", "--port", "8080"], env: { DATABASE_URL: "$DB_CONNECTION_STRING", API_KEY: M }, cwd: "./mcp-servers/python" },
  { client: "gemini", scope: "user", name: "githubCopilot", transport: "http", file: ".gemini/settings.json", at: ["mcpServers", "githubCopilot"], url: "https://api.githubcopilot.com/mcp/", headers: { Authorization: M } },
  { client: "gemini", scope: "user", name: "legacySse", transport: "sse", file: ".gemini/settings.json", at: ["mcpServers", "legacySse"], url: "http://localhost:8081/sse" },
  { client: "gemini", scope: "project", name: "projectDb", transport: "stdio", file: `${APP}/.gemini/settings.json`, at: ["mcpServers", "projectDb"], command: "npx", args: ["-y", "@modelcontextprotocol/server-sqlite", "./app.db"] },
  { client: "codex", scope: "user", name: "context7", transport: "stdio", file: ".codex/config.toml", at: ["mcp_servers", "context7"], command: "npx", args: ["-y", "@upstash/context7-mcp"], env: { CONTEXT7_API_KEY: M, LOG_LEVEL: "warn" } },
  { client: "codex", scope: "user", name: "figma", transport: "http", file: ".codex/config.toml", at: ["mcp_servers", "figma"], url: "https://mcp.figma.com/mcp", headers: { "X-Figma-Region": "us-east-1", Authorization: "Bearer ${FIGMA_OAUTH_TOKEN}" } },
  { client: "codex", scope: "user", name: "parked", transport: "stdio", file: ".codex/config.toml", at: ["mcp_servers", "parked"], command: "uvx", args: ["mcp-server-git"] },
  { client: "codex", scope: "project", name: "app-tools", transport: "stdio", file: `${APP}/.codex/config.toml`, at: ["mcp_servers", "app-tools"], command: "node", args: ["scripts/mcp.js"], cwd: "/home/me/app" },
  { client: "continue", scope: "user", name: "SQLite MCP", transport: "stdio", file: ".continue/config.yaml", at: ["mcpServers", 0], command: "npx", args: ["-y", "mcp-sqlite", "/home/me/data.db"], env: { SQLITE_TOKEN: "${{ secrets.SQLITE_TOKEN }}" } },
  { client: "continue", scope: "user", name: "Remote Search", transport: "sse", file: ".continue/config.yaml", at: ["mcpServers", 1], url: "https://search.example.com/sse", headers: { Authorization: M } },
  { client: "continue", scope: "workspace", name: "time", transport: "stdio", file: `${APP}/.continue/mcpServers/from-claude.json`, at: ["mcpServers", "time"], command: "uvx", args: ["mcp-server-time"] },
  { client: "continue", scope: "workspace", name: "Browser search", transport: "stdio", file: `${APP}/.continue/mcpServers/playwright-mcp.yaml`, at: ["mcpServers", 0], command: "npx", args: ["@playwright/mcp@latest"] },
  { client: "lmstudio", scope: "user", name: "hf-mcp-server", transport: "http", file: ".lmstudio/mcp.json", at: ["mcpServers", "hf-mcp-server"], url: "https://huggingface.co/mcp", headers: { Authorization: M } },
  { client: "goose", scope: "user", name: "github", transport: "stdio", file: ".config/goose/config.yaml", at: ["extensions", "github"], command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_PERSONAL_ACCESS_TOKEN: M } },
  { client: "goose", scope: "user", name: "remote-tools", transport: "http", file: ".config/goose/config.yaml", at: ["extensions", "remote-tools"], url: "https://tools.example.com/mcp", headers: { "X-Api-Key": M } },
  { client: "goose", scope: "user", name: "old-sse", transport: "sse", file: ".config/goose/config.yaml", at: ["extensions", "old-sse"], url: "http://localhost:9000/sse" },
];

/** Every raw secret in the fixture home: none may appear in what discovery shows. */
export const FIXTURE_SECRETS = [
  "ghp_FixtureFixtureFixtureFixture0123456789",
  "sntrys_fixture_token_0123456789abcdef",
  "pg-fixture-pass",
  "sk-fixture0000000000000000000000000000",
  "ctx7-fixture-key-0123456789",
  "github_pat_FixtureFixture0123456789_abcdefghij",
  "sk-ak-fixturezapierkey000000000000",
  "BSA-fixture-brave-key-0123",
  "hexdocs-fixture-secret",
  "ghp_ExtensionOwnedNotListed0123456789ab",
  "AIzaSyFixtureFixtureFixture0123456789ab",
  "ghp_FixtureGeminiHeader0123456789abcdef",
  "ctx7sk-fixture-codex-0123456789",
  "sk-ant-fixturecontinuemodelkey0000000000",
  "continue-fixture-bearer-0123456789",
  "hf_FixtureFixtureFixtureFixture0123",
  "ghp_FixtureGooseGooseGoose0123456789ab",
  "goose-fixture-api-key-0123",
];
