/**
 * What the UI tests share: `mcpscope serve` on a free port, a page in real Chromium (chromium.ts) that
 * records CSP violations and script errors, and polling.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Browser, Download, Page } from "playwright-core";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { CONDITION_MS, MCPSCOPE, ROOT } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { CHROMIUM, HAS_CHROMIUM } from "./chromium.js";

export { CHROMIUM, HAS_CHROMIUM } from "./chromium.js";

export const SERVE_URL = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+/;

/** Says loudly, once per test file, that the UI is not tested here. */
export function warnIfNoChromium(file: string): void {
  if (HAS_CHROMIUM) return;
  console.warn(
    `\n*** SKIPPED ${file}: ${CHROMIUM} is missing, so the UI is NOT tested here. ` +
      "Install it with `apt-get install chromium` (CI does). ***\n",
  );
}

export interface Serve {
  /** The URL `mcpscope serve` printed, with its `#token=…`. */
  url: string;
  origin: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `mcpscope serve` on a free port and waits for the URL it prints: as long as any other condition
 * (a start took over 20 s on a machine at load 20 and more).
 */
export async function startServe(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  listen = "127.0.0.1:0",
  flags: string[] = [],
): Promise<Serve> {
  const child: ChildProcess = spawn(
    process.execPath,
    [MCPSCOPE, "serve", "--listen", listen, "--data-dir", dataDir, ...flags],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mcpscope serve printed no URL within ${CONDITION_MS} ms; its output:\n${output}`));
    }, CONDITION_MS);
    const check = () => {
      const match = SERVE_URL.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off("data", check);
      resolve(match[0]);
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mcpscope serve exited with ${code} before printing its URL; its output:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Opens the page and records what would mean it is broken or unsafe: CSP violations, script errors.
 * `initScript` runs before the app's own scripts, from the first load (no reload needed to install it);
 * `timezoneId` is the page's local time zone (the browser's own when not given).
 */
export async function openPage(
  browser: Browser,
  url: string,
  initScript?: string,
  timezoneId?: string,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    ...(timezoneId ? { timezoneId } : {}),
  });
  if (initScript) await page.addInitScript(initScript);
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, problems };
}

/**
 * A download's content as text, read through the browser's connection: a browser shared over its
 * WebSocket endpoint keeps the file on its side, where `download.path()` cannot reach it.
 */
export async function downloadText(download: Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** With MCPSCOPE_SCREENSHOTS set, saves the page in light and dark there, for a look at the views by eye. */
export async function shoot(page: Page, name: string): Promise<void> {
  const folder = process.env.MCPSCOPE_SCREENSHOTS;
  if (!folder) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(folder, `${name}-${scheme}.png`), fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Polls until `check` returns a truthy value, or fails naming `what`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = CONDITION_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Calls the API as the page does: POST /api/<method> with the serve token. */
export async function apiCall<T>(serve: Serve, method: string, input: unknown = {}): Promise<T> {
  const token = new URL(serve.url).hash.replace(/^#token=/, "");
  const response = await fetch(`${serve.origin}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (!response.ok || body.error) throw new Error(`${method}: ${body.error?.message ?? response.status}`);
  return body.result as T;
}

/** Opens a view from the sidebar and waits until it has drawn. */
export async function showView(page: Page, id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await until(`the ${id} view`, async () => (await page.locator(".content > *").count()) > 0, 10_000);
}

/**
 * Adds `count` ok calls of `echo` to the first recorded session of `server`, one a second from a minute
 * ago back: more than a list's first page, so that it scrolls and pages.
 */
export function seedOlderCalls(dataDir: string, server: string, count: number): void {
  const db = openDb(databasePath(dataDir));
  try {
    const session = db.prepare("SELECT id FROM sessions WHERE server = ? LIMIT 1").get(server)?.id;
    const insert = db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
       VALUES (?, ?, 'c2s', ?, 'tools/call', 'echo', ?, 3, 'ok', 10, 20)`,
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++)
        insert.run(String(session), server, `seeded-${i}`, Date.now() - 60_000 - i * 1000);
    });
  } finally {
    db.close();
  }
}

/**
 * What a wrapped session per server stores when a client makes four `echo` calls (four `no-such-tool`
 * calls, all failing, for a server marked `true`) and closes: rows through the wrappers' own writer, for
 * views that read them and are not about the wrapper, without starting a server and a wrapper for each.
 */
export function recordSessions(dataDir: string, failing: Record<string, boolean>): void {
  const now = Date.now();
  const session = (server: string, fail: boolean): TestCall[] => [
    { server, method: "initialize", target: null, outcome: "ok", startedAt: now - 5000, durationMs: 2 },
    ...Array.from(
      { length: 4 },
      (_, i): TestCall => ({
        server,
        method: "tools/call",
        target: fail ? "no-such-tool" : "echo",
        outcome: fail ? "client_error" : "ok",
        errorCode: fail ? -32602 : null,
        startedAt: now - 4000 + i * 100,
        durationMs: 1,
      }),
    ),
  ];
  recordCalls(
    dataDir,
    Object.entries(failing).flatMap(([server, fail]) => session(server, fail)),
  );
}
