import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine } from "../lib.mjs";
const work = await mkdtemp(join(tmpdir(), "wb-"));
const E = await bundleEngine(work, `
export { Observation } from "./electron/monitor/proxy/observation.ts";
export { BatchWriter } from "./electron/monitor/store/batch-writer.ts";
export { openDb } from "./electron/monitor/store/db.ts";
`);
const dir = await mkdtemp(join(tmpdir(), "wbd-"));
const writer = new E.BatchWriter({ open: () => E.openDb(join(dir, "mcpscope.db")), onBatch: () => obs.recorder.committed(), afterBatch: (db) => obs.recorder.writeSessionRow(db) });
const init = { dataDir: dir, sessionId: "s", server: "blob", command: "x", startedAt: Date.now(), wrapperPid: 1, timeoutMs: 60000, captureLimit: 65536, maxLineBytes: 4 << 20, client: null, drainDeadline: new SharedArrayBuffer(8) };
const obs = new E.Observation(init, writer, () => {});
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const SIZE = Number(process.env.SIZE ?? 1 << 20);
const text = ('const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n' + LINE.repeat(Math.ceil(SIZE / LINE.length))).slice(0, SIZE);
const N = Number(process.env.N ?? 200);
const resBase = Buffer.from(JSON.stringify({ result: { content: [{ type: "text", text }] }, jsonrpc: "2.0", id: 1234567 }) + "\n");
const idAt = resBase.lastIndexOf("1234567");
function call(i) {
  const req = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1000000 + i, method: "tools/call", params: { name: "blob", arguments: { bytes: SIZE } } }) + "\n");
  const res = resBase; res.write(String(1000000 + i), idAt);
  const items = [{ stream: "in", at: Date.now(), bytes: new Uint8Array(req) }];
  for (let o = 0; o < res.length; o += 65536) items.push({ stream: "out", at: Date.now(), bytes: new Uint8Array(res.subarray(o, o + 65536)) });
  obs.handle({ type: "chunks", items });
  if (i % 10 === 0) writer.flush();
}
for (let i = 0; i < 50; i++) call(i);
writer.flush();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 50; i < 50 + N; i++) call(i);
writer.flush();
const c = process.cpuUsage(c0);
console.log(`per call: cpu ${((c.user + c.system) / N).toFixed(0)} µs, wall ${((performance.now() - t0) * 1000 / N).toFixed(0)} µs`);
