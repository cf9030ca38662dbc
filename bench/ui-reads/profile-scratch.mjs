import { bundleEngine } from "../lib.mjs";
const work = "/tmp/reads/lib";
const lib = await bundleEngine(work, `export { openDb } from "./electron/monitor/store/db.ts";
 export { statsDocument, resolveRange, listServers } from "./electron/monitor/store/queries.ts";
 export { metricsSeries } from "./electron/monitor/metrics/series.ts";`);
const db = lib.openDb(process.env.DB, { readOnly: true });
const which = process.env.WHAT ?? "stats1h";
const run = {
  stats1h: () => lib.statsDocument(db, lib.resolveRange("1h", undefined, "1h")),
  stats24h: () => lib.statsDocument(db, lib.resolveRange("24h", undefined, "1h")),
  stats7d: () => lib.statsDocument(db, lib.resolveRange("7d", undefined, "1h")),
  series24h: () => lib.metricsSeries(db, { since: "24h" }),
  series7d: () => lib.metricsSeries(db, { since: "7d" }),
  series1h: () => lib.metricsSeries(db, { since: "1h" }),
}[which];
run();
const times = [];
for (let i = 0; i < 7; i++) { const t = performance.now(); run(); times.push(performance.now() - t); }
console.log(which, times.map((t) => t.toFixed(1)).join(" "));
