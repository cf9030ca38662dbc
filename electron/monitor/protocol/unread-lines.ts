/**
 * Lines a peer sent that name no request the observer could pair (not JSON, not JSON-RPC, a batch). The
 * other peer may answer each with a null-id error (-32700, -32600): that error is the line's answer, not
 * the answer of a request in flight, whose own answer is still to come. Peers that drop such lines without
 * a word are common, so a line is not waited on past the request timeout, and only the newest are kept.
 */

import type { Stream } from "./pending-requests.js";

/** Unanswered lines remembered at most per stream; past it the oldest is let go. */
const KEPT_LINES = 64;

interface Unread {
  at: number;
  /** A batch, which a peer that reads batches answers with one, not with a null-id error. */
  batch: boolean;
}

export class UnreadLines {
  /** The unanswered lines of each stream, oldest first. */
  private readonly lines: Record<Stream, Unread[]> = { in: [], out: [] };

  constructor(private readonly maxAgeMs: number) {}

  /** `stream` sent a line (a batch or not) read at `at` that its peer may answer with a null-id error. */
  sent(stream: Stream, at: number, batch: boolean): void {
    const lines = this.lines[stream];
    if (lines.length >= KEPT_LINES) lines.shift();
    lines.push({ at, batch });
  }

  /** The peer answered a batch of `stream` with a batch: that one is not waiting for a null-id error. */
  batchAnswered(stream: Stream): void {
    const lines = this.lines[stream];
    const index = lines.findIndex((line) => line.batch);
    if (index >= 0) lines.splice(index, 1);
  }

  /**
   * A null-id error answering `stream` was read at `at`: true when it answers one of that stream's
   * unread lines (the oldest one still waited on, as a peer answers lines in order), which it settles.
   */
  answered(stream: Stream, at: number): boolean {
    const lines = this.lines[stream];
    while (lines.length > 0 && at - (lines[0]?.at ?? at) > this.maxAgeMs) lines.shift();
    return lines.shift() !== undefined;
  }
}
