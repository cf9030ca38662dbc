/**
 * The legacy HTTP+SSE transport's first event announces where to POST. A relative endpoint already
 * resolves against the proxy; an absolute one naming the upstream's origin is rewritten to the proxy's,
 * and nothing else in the stream is touched. Only the first event is held, and only until it is
 * complete (a client could not act on it sooner).
 */

/** Past this much without a complete first event, the stream is passed through unread. */
const MAX_FIRST_EVENT = 16 * 1024;

export class EndpointRewriter {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private done = false;

  constructor(
    private readonly upstreamOrigin: string,
    private readonly proxyOrigin: string,
  ) {}

  /** What to forward now for this chunk (empty while the first event is still incomplete). */
  push(chunk: Buffer): Buffer {
    if (this.done) return chunk;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const text = Buffer.concat(this.held, this.heldBytes);
    const end = firstEventEnd(text);
    if (end === -1 && this.heldBytes < MAX_FIRST_EVENT) return Buffer.alloc(0);
    this.done = true;
    this.held = [];
    if (end === -1) return text;
    return Buffer.concat([this.rewrite(text.subarray(0, end)), text.subarray(end)]);
  }

  /** The stream ended: whatever is held goes out as it was. */
  flush(): Buffer {
    this.done = true;
    const rest = Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return rest;
  }

  private rewrite(event: Buffer): Buffer {
    const text = event.toString("utf8");
    if (!/^event:\s?endpoint\s*$/m.test(text)) return event;
    const rewritten = text.replace(/^(data:\s?)(\S+)/m, (whole, prefix: string, url: string) => {
      if (!url.startsWith(`${this.upstreamOrigin}/`)) return whole;
      return `${prefix}${this.proxyOrigin}${url.slice(this.upstreamOrigin.length)}`;
    });
    return Buffer.from(rewritten, "utf8");
  }
}

/** Index just past the blank line that ends the first event, or -1. */
function firstEventEnd(bytes: Buffer): number {
  const text = bytes.toString("latin1");
  const match = /\r\n\r\n|\n\n|\r\r/.exec(text);
  return match ? match.index + match[0].length : -1;
}
