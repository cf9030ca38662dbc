/** The name a mistyped word most likely meant (`stast` → `stats`), for a "did you mean" hint. */

/**
 * Edits from `a` to `b`: a letter added, removed or changed, or two neighbours swapped (optimal string
 * alignment distance).
 */
function edits(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] ?? 0, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
    }
  return (d[a.length] as number[])[b.length] ?? 0;
}

/**
 * The first of `names` closest to `word`, if close: one edit away for a name of up to four letters, two
 * for a longer one. Case is ignored.
 */
export function nearestName(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = edits(word.toLowerCase(), name);
    if (distance > (name.length <= 4 ? 1 : 2)) continue;
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}
