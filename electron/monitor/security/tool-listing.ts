/**
 * One session's `tools/list` answers put together into the listings that pins compare. A paginated
 * server answers one listing in pages: a request without a cursor, then one per `nextCursor` it gave,
 * until a page without one. Only the whole chain is the server's list; the pages of a chain the client
 * stopped walking are a listing too, but an incomplete one, in which a missing tool is not a removal.
 */
import type { ToolDefinition } from "../health/tool-snapshot.js";

export interface ToolListing {
  tools: ToolDefinition[];
  /** Every page, through one without `nextCursor`. */
  complete: boolean;
}

/** Chains a client leaves open at once before the oldest is taken as given up. */
const OPEN_CHAINS = 8;
/** Tools one chain gathers before it is taken as a loop (a server whose cursors never end). */
const CHAIN_TOOLS = 50_000;

export class ToolListings {
  /** Open chains, by the cursor their next page is asked with (oldest first). */
  private readonly open = new Map<string, ToolDefinition[]>();

  /**
   * Takes one page: the request's cursor (undefined on a first page), its tools and its `nextCursor`.
   * Returns the listings it ends: none while the chain goes on.
   */
  page(cursor: unknown, tools: ToolDefinition[], nextCursor: unknown): ToolListing[] {
    const ended: ToolListing[] = [];
    let gathered: ToolDefinition[];
    if (cursor === undefined || cursor === null) gathered = tools;
    else {
      const chain = this.open.get(cursorKey(cursor));
      // A page of no chain seen from its start (asked with a cursor of an earlier session): on its own.
      if (!chain) return [{ tools, complete: false }];
      this.open.delete(cursorKey(cursor));
      gathered = chain.concat(tools);
    }
    if (nextCursor === undefined || nextCursor === null) {
      ended.push({ tools: gathered, complete: true });
      return ended;
    }
    if (gathered.length > CHAIN_TOOLS) {
      ended.push({ tools: gathered, complete: false });
      return ended;
    }
    const key = cursorKey(nextCursor);
    const stale = this.open.get(key);
    if (stale) ended.push({ tools: stale, complete: false });
    this.open.delete(key);
    this.open.set(key, gathered);
    if (this.open.size > OPEN_CHAINS) ended.push(...this.take(1));
    return ended;
  }

  /** The chains still open, as incomplete listings (the session ended). */
  end(): ToolListing[] {
    return this.take(this.open.size);
  }

  private take(count: number): ToolListing[] {
    const taken: ToolListing[] = [];
    for (const [key, tools] of this.open) {
      if (taken.length === count) break;
      this.open.delete(key);
      taken.push({ tools, complete: false });
    }
    return taken;
  }
}

/** Cursors are opaque strings; one of another type is told apart by its JSON. */
function cursorKey(cursor: unknown): string {
  return typeof cursor === "string" ? `s:${cursor}` : `j:${JSON.stringify(cursor)}`;
}
