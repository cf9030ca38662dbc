/**
 * The forwarding thread's cut of a long server line, fed in reads of any size: the name that decides an
 * outcome is found in the left-out middle however the reads split it.
 */
import { describe, expect, it } from "vitest";
import { type Elision, TAIL_BYTES } from "../../electron/monitor/protocol/line-cut.js";
import {
  CONTROL_HEAD,
  CONTROL_SLOTS,
  CONTROL_WHOLE,
  LineElider,
  WholeResultWatch,
} from "../../electron/monitor/proxy/line-elider.js";

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

  it("finds a name wherever it is in text of every kind, as a plain search of the left-out bytes does", () => {
    // Texts that lead the search differently: quotes dense (JSON inside a string), rare (base64, prose), and
    // the names' capitals dense, each around names at random places, read in random sizes.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    const fillers = [
      JSON.stringify(JSON.stringify({ rows: [{ id: 1, isErr: "x", result: "T" }] })).slice(1, -1),
      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkrLw==",
      "Every Error That Tells The Type; ERROR TYPE ",
      '"r" "i" "isErro" "resultTyp" "E" "T" ',
      '"E":"T","TE":"ET","isErr":"Type",',
      `"q"${" ET".repeat(30)}`,
    ];
    const names = ['"isError"', '"resultType"'];
    for (let round = 0; round < 200; round++) {
      const filler = fillers[round % fillers.length] as string;
      let text = "";
      while (text.length < 20_000 + random(60_000)) text += filler.slice(random(filler.length));
      const count = random(3);
      for (let i = 0; i < count; i++) {
        const at = random(text.length);
        text = text.slice(0, at) + names[random(2)] + text.slice(at);
      }
      const head = 1000 + random(4000);
      const line = `{"result":{"text":"${text}"}}`;
      const left = line.length - Math.min(TAIL_BYTES, line.length - head);
      // Hidden: a name not wholly in the head that starts before the tail.
      const hidden = names.some((name) => {
        for (let at = line.indexOf(name); at !== -1; at = line.indexOf(name, at + 1))
          if (at + name.length > head && at < left) return true;
        return false;
      });
      const size = [9, 4096, 65536][random(3)] as number;
      const { elision } = cut(line, head, size + random(size));
      expect(elision, `round ${round}`).toEqual({ bytes: left - head, hidden });
    }
  });

  it("finds a name that the head's end or a read's end splits at any byte, in any text", () => {
    for (const name of ['"isError"', '"resultType"']) {
      for (const filler of ["x", '\\"', "E", "T"]) {
        for (let into = 1; into < name.length; into++) {
          const head = 2000;
          // The name's first `into` bytes end the head; with reads of 3000, another name ends the first read.
          const pad = filler.repeat(head).slice(0, head - 19 - into);
          const line = `{"result":{"text":"${pad}${name}${filler.repeat(9000)}"}}`;
          for (const size of [head, 3000, 1]) expect(cut(line, head, size).elision?.hidden, name).toBe(true);
          const later = `{"result":{"text":"${pad}${filler.repeat(3000).slice(0, 1000)}${name}${filler.repeat(9000)}"}}`;
          expect(cut(later, head, 3000).elision?.hidden, `${name} split by a read`).toBe(true);
        }
      }
    }
  });
});

describe("WholeResultWatch", () => {
  it("counts the whole-result method names in the client's bytes as a plain search does, however read", () => {
    const names = ['"initialize"', '"tools/list"', '"server/discover"'];
    const parts = [
      ...names,
      '"initialize"initialize"',
      '"tools/call"',
      "/list",
      'ze"',
      "/disco",
      '{"jsonrpc":"2.0","id":1,"method":',
      ',"params":{"name":"a"}}\n',
      "x",
    ];
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      let text = "";
      while (text.length < 2000) text += parts[random(parts.length)];
      let expected = 0;
      for (const name of names)
        for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) expected++;
      const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
      const watch = new WholeResultWatch(control);
      const bytes = Buffer.from(text);
      const size = 1 + random(40);
      for (let at = 0; at < bytes.length; at += size) watch.offer(bytes.subarray(at, at + size));
      expect(watch.total, `round ${round}, reads of ${size}`).toBe(expected);
      expect(control[CONTROL_WHOLE]).toBe(expected);
    }
  });
});
