/**
 * The forwarding thread's cut of a long server line, fed in reads of any size: the name that decides an
 * outcome is found in the left-out middle however the reads split it.
 */
import { describe, expect, it } from "vitest";
import type { Elision } from "../../electron/monitor/protocol/line-cut.js";
import { CONTROL_HEAD, CONTROL_SLOTS, LineElider } from "../../electron/monitor/proxy/line-elider.js";

function cut(line: string, head: number, size: number): { elision: Elision | null; copied: string } {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  control[CONTROL_HEAD] = head;
  const elider = new LineElider(control);
  let elision: Elision | null = null;
  const copied: Buffer[] = [];
  const bytes = Buffer.from(`${line}\n`);
  for (let at = 0; at < bytes.length; at += size)
    elider.offer(bytes.subarray(at, at + size), {
      copy: (piece) => copied.push(Buffer.from(piece)),
      elided: (e) => {
        elision = e;
      },
    });
  return { elision, copied: Buffer.concat(copied).toString() };
}

describe("LineElider", () => {
  it("finds an isError in the middle whatever the reads' sizes, one byte at a time included", () => {
    const line = `{"jsonrpc":"2.0","id":1,"result":{"a":"${"x".repeat(3000)}","isError":true,"b":"${"y".repeat(9000)}"}}`;
    for (const size of [1, 2, 5, 9, 16, 17, 4096, line.length + 1]) {
      const { elision, copied } = cut(line, 1000, size);
      expect(elision, `reads of ${size}`).toEqual({ bytes: line.length - 1000 - 4096, hidden: true });
      expect(copied).toBe(`${line.slice(0, 1000)}${line.slice(-4096)}\n`);
    }
  });

  it("says nothing is hidden when the middle holds no such name, in reads of one byte too", () => {
    const line = `{"jsonrpc":"2.0","id":1,"result":{"a":"${"x".repeat(3000)}","isErr":true,"b":"${"y".repeat(9000)}"}}`;
    for (const size of [1, 7, line.length + 1]) expect(cut(line, 1000, size).elision?.hidden).toBe(false);
  });
});
