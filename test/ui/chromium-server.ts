/**
 * The UI tests' one Chromium (vitest globalSetup of the `ui` project): launched once for the run and shared
 * by every UI file through its WebSocket endpoint. Launching and closing a browser took one to two seconds
 * per file on a busy machine, connecting to a running one a few milliseconds. Each file connects its own
 * client, and each page opens in a fresh browser context, so no cookie, storage or page of one file
 * reaches another. Where Chromium is missing nothing is launched and each file says loudly that it skipped.
 */
import type { BrowserServer } from "playwright-core";
import { chromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { CHROMIUM, CHROMIUM_ARGS, featuresLeftOn, HAS_CHROMIUM } from "./chromium.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared Chromium's endpoint, for `chromium.connect`; empty where none was launched. */
    chromiumEndpoint: string;
  }
}

let server: BrowserServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (HAS_CHROMIUM) {
    server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const leftOn = featuresLeftOn(server.process().spawnargs);
    if (leftOn.length) {
      await server.close();
      throw new Error(
        `playwright-core now disables Chromium features that CHROMIUM_ARGS' --disable-features lacks, ` +
          `which Chromium would turn back on: add ${leftOn.join(", ")} to PLAYWRIGHT_DISABLED_FEATURES in test/ui/chromium.ts`,
      );
    }
  }
  project.provide("chromiumEndpoint", server?.wsEndpoint() ?? "");
}

export async function teardown(): Promise<void> {
  await server?.close();
}
