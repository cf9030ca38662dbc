/**
 * `1 call`, `2 calls`: a count with its noun (`show` prints the count, `1,234` in a report). No zod here:
 * the wrapper's bundle uses it.
 */
export function plural(
  count: number,
  noun: string,
  nouns = `${noun}s`,
  show: (count: number) => string = String,
): string {
  return `${show(count)} ${count === 1 ? noun : nouns}`;
}
