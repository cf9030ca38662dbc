/**
 * The alert config in effect, as every process reads it (the engine, the CLI, the report scheduler):
 * `alerts.yaml` when it loads; else the last version of it that loaded, kept beside it in the data dir
 * (`alerts.last-good.yaml`, owner-only, secrets as the file has them), so a mistake in the file keeps the
 * rules, channels and routes that were in effect, across a restart too; else the built-ins.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { ConfigInEffect } from "../../../shared/alerts.js";
import { writePrivateFileSync } from "../store/private-files.js";
import { type AlertConfig, alertsFilePath, parseAlertConfig } from "./rule-file.js";

export const LAST_GOOD_FILE = "alerts.last-good.yaml";

export interface LoadedAlertConfig {
  path: string;
  text: string;
  config: AlertConfig;
  problem: string | null;
  inEffect: ConfigInEffect;
}

/** Reads the file; a missing file is the defaults; a broken one gives its last good version, if any. */
export function loadAlertConfig(dataDir: string): LoadedAlertConfig {
  const path = alertsFilePath(dataDir);
  let text = "";
  try {
    text = existsSync(path) ? readFileSync(path, "utf8") : "";
  } catch (error) {
    return { path, text, ...lastGood(dataDir), problem: `cannot read ${path}: ${(error as Error).message}` };
  }
  let config: AlertConfig;
  try {
    config = parseAlertConfig(text, basename(path));
  } catch (error) {
    return { path, text, ...lastGood(dataDir), problem: (error as Error).message };
  }
  keepLastGood(dataDir, existsSync(path) ? text : null);
  return { path, text, config, problem: null, inEffect: "file" };
}

function lastGoodPath(dataDir: string): string {
  return join(dataDir, LAST_GOOD_FILE);
}

function lastGood(dataDir: string): { config: AlertConfig; inEffect: ConfigInEffect } {
  try {
    const path = lastGoodPath(dataDir);
    if (existsSync(path))
      return { config: parseAlertConfig(readFileSync(path, "utf8"), LAST_GOOD_FILE), inEffect: "last-good" };
  } catch {
    // A copy that does not load (edited by hand, cut off) is no better than the built-ins.
  }
  return { config: parseAlertConfig(""), inEffect: "built-in" };
}

/**
 * Keeps `text` as the last good version (when it differs from the one kept); a missing file means the
 * built-ins are in effect, so none is kept. A data dir that cannot be written keeps the older copy.
 */
function keepLastGood(dataDir: string, text: string | null): void {
  const path = lastGoodPath(dataDir);
  try {
    if (text === null) {
      rmSync(path, { force: true });
      return;
    }
    if (existsSync(path) && readFileSync(path, "utf8") === text) return;
    writePrivateFileSync(path, text);
  } catch {
    // Not kept this time: the next load that can write keeps it.
  }
}
