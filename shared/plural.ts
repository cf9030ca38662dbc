/** `1 call`, `2 calls`: a count with its noun. No zod here: the wrapper's bundle uses it. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
