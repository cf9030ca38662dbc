import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../electron/monitor/protocol/line-splitter.js";

function collect(max?: number) {
  const lines: Buffer[] = [];
  const oversized: Array<{ head: string; tail: string; total: number }> = [];
  const splitter = new LineSplitter(
    {
      line: (b) => lines.push(Buffer.from(b)),
      oversized: (head, tail, total) =>
        oversized.push({ head: head.toString("latin1"), tail: tail.toString("latin1"), total }),
    },
    max,
  );
  return { splitter, lines, oversized };
}

describe("LineSplitter", () => {
  it("frames lines across arbitrary chunk boundaries, including inside a multi-byte character", () => {
    const text = Buffer.from('{"a":"héllo ✓"}\n{"b":"🙂"}\npartial');
    for (let size = 1; size <= 7; size++) {
      const { splitter, lines } = collect();
      for (let i = 0; i < text.length; i += size) splitter.push(text.subarray(i, i + size), 0);
      expect(lines.map((l) => l.toString("utf8"))).toEqual(['{"a":"héllo ✓"}', '{"b":"🙂"}']);
      splitter.end(0);
      expect(lines.at(-1)?.toString()).toBe("partial");
    }
  });

  it("keeps invalid UTF-8 bytes as they are", () => {
    const { splitter, lines } = collect();
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    splitter.push(bad, 0);
    expect(lines[0]?.equals(bad.subarray(0, 4))).toBe(true);
  });

  it("does not buffer a line past the limit, and reports its size, head and tail", () => {
    const { splitter, lines, oversized } = collect(1000);
    const first = `{"jsonrpc":"2.0","result":"${"x".repeat(5000)}`;
    const second = `${"y".repeat(3000)}","id":7}`;
    splitter.push(Buffer.from(first), 0);
    splitter.push(Buffer.from(`${second}\n{"next":1}\n`), 0);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]?.total).toBe(first.length + second.length);
    expect(oversized[0]?.head.startsWith('{"jsonrpc"')).toBe(true);
    expect(oversized[0]?.tail.endsWith('"id":7}')).toBe(true);
    expect(lines.map(String)).toEqual(['{"next":1}']);
  });

  it("reports a line past the limit as oversized also when one chunk holds it whole", () => {
    const { splitter, lines, oversized } = collect(1000);
    const long = `{"jsonrpc":"2.0","result":"${"x".repeat(5000)}","id":8}`;
    splitter.push(Buffer.from(`{"before":1}\n${long}\n{"after":1}\n`), 0);
    expect(oversized).toEqual([{ head: long.slice(0, 1024), tail: long.slice(-1024), total: long.length }]);
    expect(lines.map(String)).toEqual(['{"before":1}', '{"after":1}']);
  });

  it("resyncs at the next newline after a gap", () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('{"half'), 0);
    splitter.reset();
    splitter.push(Buffer.from('rest"}\n{"ok":1}\n'), 0);
    expect(lines.map(String)).toEqual(['rest"}', '{"ok":1}']);
  });

  it("keeps a partial line whole when the caller reuses its chunk's memory (copies go back for reuse)", () => {
    const { splitter, lines } = collect();
    const slab = Buffer.alloc(64);
    const first = Buffer.from('{"id":1,"result":"abc');
    first.copy(slab);
    splitter.push(slab.subarray(0, first.length), 0);
    slab.fill(0x78); // the slab is reused for the next copy
    const rest = Buffer.from('def"}\n{"id":2}\n');
    rest.copy(slab);
    splitter.push(slab.subarray(0, rest.length), 0);
    expect(lines.map(String)).toEqual(['{"id":1,"result":"abcdef"}', '{"id":2}']);
  });
});
