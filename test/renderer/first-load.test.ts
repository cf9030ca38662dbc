/**
 * What the built UI loads before its first paint: the entry script, the modules it preloads and the
 * stylesheets index.html links. The charts' library and the views are not among them; they load when a
 * view is first shown. Read from the bundles' source maps (what each emitted file was built from).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/mcp.js";

const DIST = join(ROOT, "dist", "renderer");

/** The scripts index.html loads at once, each with the sources its source map names. */
function firstScripts(): { file: string; sources: string[] }[] {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="\.\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\.\/([^"]+)"/g),
  ].map((m) => m[1] ?? "");
  return files.map((file) => {
    const map = JSON.parse(readFileSync(join(DIST, `${file}.map`), "utf8")) as { sources: string[] };
    return { file, sources: map.sources };
  });
}

describe.skipIf(!existsSync(join(DIST, "index.html")))("the UI's first load (built dist/renderer)", () => {
  it("holds the app's frame and API client, not ECharts or any view", () => {
    const sources = firstScripts().flatMap((s) => s.sources);
    expect(sources.some((s) => s.endsWith("renderer/src/App.vue"))).toBe(true);
    expect(sources.some((s) => s.includes("renderer/src/api/"))).toBe(true);
    expect(sources.filter((s) => /node_modules\/(echarts|zrender)\//.test(s))).toEqual([]);
    expect(sources.filter((s) => s.includes("renderer/src/views/"))).toEqual([]);
  });
});
