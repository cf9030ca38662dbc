/**
 * The audit key is read from its file into buffers of its own: its bytes must not be left in Node's
 * shared allocation pool, the slab every small `Buffer.from` and `allocUnsafe` of the thread is cut
 * from, where they would outlive the read as long as any unrelated buffer cut from the slab does.
 */
import { createHash, createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readAuditKey } from "../../electron/monitor/audit/audit-key.js";
import { testDir } from "../helpers/mcp.js";

it("leaves no copy of the key's bytes in the shared allocation pool", async () => {
  const dataDir = await testDir();
  const hex = createHash("sha256").update("a key of no pattern").digest("hex");
  writeFileSync(join(dataDir, "audit-key"), `${hex}\n`, { mode: 0o600 });
  const raw = Buffer.from(hex, "hex");
  // The slab the next small buffers are cut from, before and after the read.
  const pool = () => Buffer.from("00", "hex").buffer;
  const before = pool();
  const key = readAuditKey(dataDir);
  const after = pool();
  expect(key?.id).toBe(createHmac("sha256", raw).update("mcpscope audit key id").digest("hex").slice(0, 8));
  for (const slab of new Set([before, after])) {
    const bytes = Buffer.from(slab);
    // `raw` itself was cut from the slab before the read: look past it.
    const own = bytes.indexOf(raw);
    expect(bytes.indexOf(raw, own === -1 ? 0 : own + 1)).toBe(-1);
  }
});
