/** A batch of replacements and insertions at offsets of one text, applied back to front. */
export class TextEdits {
  private readonly list: Array<{ start: number; end: number; text: string; order: number }> = [];

  replace(start: number, end: number, text: string): void {
    this.list.push({ start, end, text, order: this.list.length });
  }

  /** Insertions at the same offset keep the order in which they were added. */
  insert(at: number, text: string): void {
    this.replace(at, at, text);
  }

  apply(text: string): string {
    const sorted = [...this.list].sort((a, b) => b.start - a.start || b.order - a.order);
    return sorted.reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
  }
}

export function lineEnding(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}
