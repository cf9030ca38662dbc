/**
 * What evaluation had to leave out so that everything else still evaluates: a silence that cannot be
 * applied, a rule that throws, a stored alert, notification group or delivery that cannot be read. Each
 * is named once, as an `alert.skipped` error event, not at every interval.
 */
import type { Silence } from "../../../shared/alerts.js";
import type { TrackedEvent } from "../events/tracker.js";

export type SkippedKind = "silence" | "rule" | "alert" | "group" | "delivery";

export class SkipReporter {
  private readonly seen = new Set<string>();

  constructor(
    private readonly event: (event: TrackedEvent) => void,
    private readonly warn: (problem: string) => void = () => {},
  ) {}

  skip(kind: SkippedKind, id: string, problem: string): void {
    const key = `${kind}\u0000${id}\u0000${problem}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= 1000) this.seen.clear();
    this.seen.add(key);
    this.warn(`alerts: ${kind} ${id} skipped: ${problem}`);
    this.event({
      category: "error",
      type: "alert.skipped",
      severity: "medium",
      message: `alerts: ${kind} ${id} skipped: ${problem}`,
      details: { kind, id, problem },
    });
  }

  /** The silences that can be applied; the others are reported. */
  usable(silences: readonly Silence[]): Silence[] {
    return silences.filter((s) => {
      if (s.problem)
        this.skip("silence", s.id, `${s.problem}; remove it with mcpscope alerts unsilence ${s.id}`);
      return !s.problem;
    });
  }
}
