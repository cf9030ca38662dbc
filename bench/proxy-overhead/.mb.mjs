import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine } from "../lib.mjs";
const work = await mkdtemp(join(tmpdir(), "mb-"));
const E = await bundleEngine(work, `export { maskString } from "./electron/monitor/pipeline/mask.ts"; export { tokenSpans } from "./electron/monitor/pipeline/token-rules.ts";`);
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const text = ('const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n' + LINE.repeat(900)).slice(0, 65536 + 4096);
for (const [name, f] of [["maskString", () => E.maskString(text)], ["tokenSpans", () => E.tokenSpans(text, [])], ["stringify", () => JSON.stringify({ a: text })], ["Buffer.from", () => Buffer.from(text)]]) {
  for (let r = 0; r < 50; r++) f();
  const c0 = process.cpuUsage(); for (let r = 0; r < 200; r++) f(); const c = process.cpuUsage(c0);
  console.log(name, ((c.user + c.system) / 200).toFixed(0), "µs");
}
