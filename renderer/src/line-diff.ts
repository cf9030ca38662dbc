/** A side-by-side line diff of two texts (an LCS over lines), for the tool-pin panel. */

export interface DiffRow {
  /** `same`: both sides equal; `changed`: a line replaced; `removed`: only on the left; `added`: only on the right. */
  kind: "same" | "changed" | "removed" | "added";
  left: string | null;
  right: string | null;
  leftNo: number | null;
  rightNo: number | null;
}

/** Above this many lines on a side, lines are compared position by position (bounded work). */
const MAX_LCS_LINES = 2000;

export function lineDiff(oldText: string, newText: string): DiffRow[] {
  const a = oldText.split("\n");
  const b = newText.split("\n");
  const ops: { op: "=" | "-" | "+"; line: string }[] = [];
  if (a.length > MAX_LCS_LINES || b.length > MAX_LCS_LINES) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x !== undefined && y !== undefined && x === y) ops.push({ op: "=", line: x });
      else {
        if (x !== undefined) ops.push({ op: "-", line: x });
        if (y !== undefined) ops.push({ op: "+", line: y });
      }
    }
  } else {
    const m = a.length;
    const n = b.length;
    // lcs[i][j]: the LCS length of a[i..] and b[j..].
    const lcs: Uint32Array[] = Array.from({ length: m + 1 }, () => new Uint32Array(n + 1));
    for (let i = m - 1; i >= 0; i--) {
      const row = lcs[i] as Uint32Array;
      const below = lcs[i + 1] as Uint32Array;
      for (let j = n - 1; j >= 0; j--) {
        row[j] = a[i] === b[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < m || j < n) {
      if (i < m && j < n && a[i] === b[j]) {
        ops.push({ op: "=", line: a[i] as string });
        i++;
        j++;
      } else if (j < n && (i >= m || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
        ops.push({ op: "+", line: b[j] as string });
        j++;
      } else {
        ops.push({ op: "-", line: a[i] as string });
        i++;
      }
    }
  }

  // Pair each run of removals with the additions next to it, so that a replaced line sits beside its
  // replacement.
  const rows: DiffRow[] = [];
  let leftNo = 0;
  let rightNo = 0;
  let k = 0;
  while (k < ops.length) {
    const op = ops[k] as (typeof ops)[number];
    if (op.op === "=") {
      leftNo++;
      rightNo++;
      rows.push({ kind: "same", left: op.line, right: op.line, leftNo, rightNo });
      k++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (k < ops.length && (ops[k] as (typeof ops)[number]).op !== "=") {
      const o = ops[k] as (typeof ops)[number];
      (o.op === "-" ? removed : added).push(o.line);
      k++;
    }
    const n = Math.max(removed.length, added.length);
    for (let x = 0; x < n; x++) {
      const left = removed[x] ?? null;
      const right = added[x] ?? null;
      rows.push({
        kind: left !== null && right !== null ? "changed" : left !== null ? "removed" : "added",
        left,
        right,
        leftNo: left !== null ? ++leftNo : null,
        rightNo: right !== null ? ++rightNo : null,
      });
    }
  }
  return rows;
}
