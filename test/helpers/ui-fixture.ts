/**
 * What a UI test file sets up around its tests: a connection to the run's shared Chromium (its own
 * Chromium when run outside the `ui` project), and the temp dirs, `mcpscope serve` processes and clients
 * its tests start, all undone after the file's tests (the browser first, then the rest, the last started
 * first). Call it inside the file's `describe.skipIf(!HAS_CHROMIUM)`
 * so that nothing is launched where Chromium is missing.
 */
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { DISCOVERY_ENV } from "../../electron/monitor/discovery/platform-paths.js";
import { runFixture } from "../security/helpers.js";
import { openPage, type Serve, startServe } from "../ui/browser.js";
import { launchChromium } from "../ui/chromium.js";
import { tempDir } from "./mcp.js";

export interface UiFixture {
  /** The file's client of Chromium, connected before its first test. */
  readonly browser: Browser;
  /** Runs after the file's tests, the last deferred first; one that fails does not stop the others. */
  defer(cleanup: () => Promise<unknown>): void;
  /** A new temp dir, removed after the file's tests. */
  dir(prefix?: string): Promise<string>;
  /**
   * `mcpscope serve` on `dataDir`, stopped after the file's tests. With `home`, discovery reads the client
   * configs under that home only.
   */
  serve(dataDir: string, home?: string): Promise<Serve>;
  /** `mcpscope serve` on a data dir holding a session recorded from a real server, with an empty home. */
  serveRecorded(): Promise<Serve>;
  /**
   * One page for the tests that call the function returned, as a user keeps one tab open: opened at
   * `url()` on first use, closed after the file's tests. Each test starts from where it needs to be.
   */
  sharedPage(url: () => string): () => Promise<{ page: Page; problems: string[] }>;
}

/** An environment whose home is `home`, with nothing left that points discovery elsewhere. */
export function isolatedHomeEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.MCPSCOPE_HOME;
  delete env.XDG_DATA_HOME;
  for (const name of DISCOVERY_ENV) delete env[name];
  return env;
}

/**
 * A client of the run's shared Chromium (chromium-server.ts), or a Chromium of the file's own where no
 * shared one was provided. Closing the client leaves the shared browser running.
 */
function connectChromium(): Promise<Browser> {
  const endpoint = inject("chromiumEndpoint");
  return endpoint ? chromium.connect(endpoint) : launchChromium();
}

export function uiFixture(): UiFixture {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    browser = await connectChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });
  const fixture: UiFixture = {
    get browser() {
      if (!browser) throw new Error("Chromium is connected before the file's first test, not at load");
      return browser;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async dir(prefix) {
      const dir = await tempDir(prefix);
      cleanups.push(dir.cleanup);
      return dir.path;
    },
    async serve(dataDir, home) {
      const serve = await startServe(dataDir, home === undefined ? process.env : isolatedHomeEnv(home));
      cleanups.push(serve.stop);
      return serve;
    },
    sharedPage(url) {
      let shared: Promise<{ page: Page; problems: string[] }> | undefined;
      cleanups.push(async () => (await shared)?.page.close());
      return () => {
        shared ??= openPage(fixture.browser, url());
        return shared;
      };
    },
    async serveRecorded() {
      const dir = await fixture.dir();
      const dataDir = join(dir, "data");
      await runFixture(dataDir, "recorded", {});
      return fixture.serve(dataDir, dir);
    },
  };
  return fixture;
}
