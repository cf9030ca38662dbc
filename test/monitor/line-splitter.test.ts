import { describe, expect, it } from "vitest";
import { TAIL_BYTES } from "../../electron/monitor/protocol/line-cut.js";
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

  describe("past the limit, for a sink that reads cut lines", () => {
    function cutting(max: number, headBytes: number) {
      const cut: { head: string; tail: string; total: number; hidden: boolean }[] = [];
      const splitter = new LineSplitter(
        {
          line: () => {
            throw new Error("not a whole line");
          },
          oversized: () => {
            throw new Error("read as a cut line");
          },
          elided: (head, tail, total, hidden) =>
            cut.push({ head: head.toString("latin1"), tail: tail.toString("latin1"), total, hidden }),
        },
        max,
        headBytes,
      );
      return { splitter, cut };
    }
    const body = (middle: string) =>
      `{"jsonrpc":"2.0","id":1,"result":{"a":"${"x".repeat(3000)}",${middle}"b":"${"y".repeat(20_000)}"}}`;

    it("keeps the head the copy keeps, the last 4 KiB, and whether the middle holds an outcome's name", () => {
      for (const [middle, hidden] of [
        ['"isError":true,', true],
        ['"resultType":"input_required",', true],
        ['"isErr":true,', false],
      ] as const) {
        const line = body(middle);
        for (const size of [line.length + 1, 4096, 1]) {
          const { splitter, cut } = cutting(10_000, 2000);
          const bytes = Buffer.from(`${line}\n`);
          for (let at = 0; at < bytes.length; at += size) splitter.push(bytes.subarray(at, at + size), 0);
          expect(cut, `${middle} in reads of ${size}`).toEqual([
            { head: line.slice(0, 2000), tail: line.slice(-TAIL_BYTES), total: line.length, hidden },
          ]);
        }
      }
    });

    it("says the middle holds a name when the head's end cuts one", () => {
      const line = body('"isError":true,');
      const at = line.indexOf('"isError"') + 4;
      const { splitter, cut } = cutting(10_000, at);
      splitter.push(Buffer.from(`${line}\n`), 0);
      expect(cut[0]?.hidden).toBe(true);
    });

    it("adds what the copy left out to a line that then passes the limit, and its name", () => {
      for (const copyHidden of [false, true]) {
        const { splitter, cut } = cutting(5000, 1000);
        const head = `{"jsonrpc":"2.0","id":1,"result":{"a":"${"x".repeat(3000)}`;
        splitter.push(Buffer.from(head), 0);
        splitter.elide(1_000_000, copyHidden);
        const tail = `${"y".repeat(6000)}"},"jsonrpc":"2.0","id":1}`;
        splitter.push(Buffer.from(`${tail}\n`), 0);
        expect(cut).toHaveLength(1);
        expect(cut[0]?.total).toBe(head.length + 1_000_000 + tail.length);
        expect(cut[0]?.tail).toBe(tail.slice(-TAIL_BYTES));
        expect(cut[0]?.hidden).toBe(copyHidden);
      }
    });
  });
});
