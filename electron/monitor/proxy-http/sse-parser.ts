/**
 * An incremental `text/event-stream` parser (the WHATWG framing): bytes in, events out. It reads copies
 * of a stream that was already forwarded, so it never throws; a field line longer than `maxLineBytes` is
 * cut, and the event it belonged to is reported as oversized instead of parsed.
 */
import { MAX_MESSAGE_BYTES } from "../protocol/line-splitter.js";

export interface SseEvent {
  /** The `event:` field; "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  id: string | null;
  /** Bytes of the event's lines, framing included. */
  bytes: number;
  oversized: boolean;
}

export class SseParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipLF = false;
  private dropping = false;
  private event = "";
  private data: string[] = [];
  private id: string | null = null;
  private bytes = 0;
  private oversized = false;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxLineBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.skipLF) {
        this.skipLF = false;
        if (byte === 0x0a) {
          start = i + 1;
          this.bytes++;
          continue;
        }
      }
      if (byte !== 0x0a && byte !== 0x0d) continue;
      this.append(chunk.subarray(start, i));
      this.bytes++;
      this.endLine();
      if (byte === 0x0d) this.skipLF = true;
      start = i + 1;
    }
    this.append(chunk.subarray(start));
  }

  /** The stream ended: an event without its closing blank line is not dispatched (as browsers do). */
  end(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.resetEvent();
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.bytes += part.length;
    if (this.dropping) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.dropping = true;
      this.oversized = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private endLine(): void {
    const line = this.decoder.decode(Buffer.concat(this.pending, this.pendingBytes));
    const wasDropped = this.dropping;
    this.pending = [];
    this.pendingBytes = 0;
    this.dropping = false;
    if (wasDropped) return;
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }

  private dispatch(): void {
    if (this.data.length > 0 || this.oversized) {
      this.onEvent({
        event: this.event || "message",
        data: this.data.join("\n"),
        id: this.id,
        bytes: this.bytes,
        oversized: this.oversized,
      });
    }
    this.resetEvent();
  }

  private resetEvent(): void {
    this.event = "";
    this.data = [];
    this.bytes = 0;
    this.oversized = false;
  }
}
