/** Debian's Chromium for the UI tests: where it is and how it is started. */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/**
 * The features playwright-core turns off when it launches Chromium (its own `--disable-features`), which
 * our list below has to repeat: Chromium keeps only the last `--disable-features` it is given.
 * `disabledFeaturesCheck` says when playwright-core's list holds one this one lacks.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
];

/**
 * The omnibox's popups, which Chromium builds as WebUI pages: it preloads two for every window, each in a
 * renderer process of its own, and each test's browser context opens a window. Headless, no test ever
 * shows them, and they cost about as much CPU as the app's own page (six UI files: Chromium's renderers
 * 16 s of CPU with them, 7 s without).
 */
const OMNIBOX_POPUPS = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"];

const DISABLE_FEATURES = "--disable-features=";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  DISABLE_FEATURES + [...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUPS].join(","),
];

/**
 * Given the arguments a Chromium was started with, says which features playwright-core disables that our
 * `--disable-features` (the last, so the one Chromium keeps) does not: empty when none.
 */
export function featuresLeftOn(spawnArgs: readonly string[]): string[] {
  const lists = spawnArgs
    .filter((arg) => arg.startsWith(DISABLE_FEATURES))
    .map((arg) => arg.slice(DISABLE_FEATURES.length).split(","));
  const kept = new Set(lists.at(-1) ?? []);
  return lists.slice(0, -1).flatMap((list) => list.filter((feature) => feature && !kept.has(feature)));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
