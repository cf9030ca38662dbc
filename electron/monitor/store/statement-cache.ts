/**
 * A connection's prepared statements, kept for reuse. Preparing a statement is SQLite parsing and planning
 * its text again, and the engine prepares the same few dozen texts over and over: its alert evaluator,
 * its API reads and its folds, at every tick and every request. In a `mcpscope serve` answering the UI,
 * preparing was the main thread's largest single cost.
 *
 * Reuse must not change what a caller sees:
 * - rows as objects or arrays are each caller's choice: every `prepare` returns a handle of its own,
 *   which puts the shared statement in its mode before it reads;
 * - an iteration is lazy, and running its statement again ends it ("iterator was invalidated"), so
 *   `iterate` runs on a statement prepared for that iteration alone. That one is not kept either: an
 *   iteration its caller abandons holds its read snapshot until the statement is collected, which a
 *   statement kept here never would be;
 * - bound values never carry over from one call to the next (node:sqlite clears them on every call).
 */
import type { Statement } from "./db.js";

/** How many statements a connection keeps prepared: more than the texts the engine runs repeatedly. */
export const STATEMENT_CACHE_SIZE = 256;

interface Entry {
  readonly statement: Statement;
  /** The mode the shared statement was last put in. */
  arrays: boolean;
}

export interface StatementCache {
  /** A handle on the statement for `sql`, prepared by `prepareRaw` unless one of the latest texts. */
  prepare(sql: string): Statement;
  /** Forgets every statement: for a connection being closed, whose next `prepare` then fails as before. */
  clear(): void;
}

/** Reuses the statements `prepareRaw` made for the `size` most recently used texts. */
export function statementCache(
  prepareRaw: (sql: string) => Statement,
  size = STATEMENT_CACHE_SIZE,
): StatementCache {
  // A Map iterates in insertion order: a text used again is moved to the end, the first is the oldest.
  const entries = new Map<string, Entry>();
  return {
    prepare(sql) {
      let entry = entries.get(sql);
      if (entry) entries.delete(sql);
      else {
        entry = { statement: prepareRaw(sql), arrays: false };
        if (entries.size >= size) entries.delete(entries.keys().next().value as string);
      }
      entries.set(sql, entry);
      return new CachedStatement(entry, () => prepareRaw(sql));
    },
    clear: () => entries.clear(),
  };
}

class CachedStatement implements Statement {
  #arrays = false;

  constructor(
    private readonly entry: Entry,
    private readonly prepareOwn: () => Statement,
  ) {}

  run(...params: Parameters<Statement["run"]>): ReturnType<Statement["run"]> {
    return this.entry.statement.run(...params);
  }

  get(...params: Parameters<Statement["get"]>): ReturnType<Statement["get"]> {
    return this.#inMode().get(...params);
  }

  all(...params: Parameters<Statement["all"]>): ReturnType<Statement["all"]> {
    return this.#inMode().all(...params);
  }

  iterate(...params: Parameters<Statement["iterate"]>): ReturnType<Statement["iterate"]> {
    const own = this.prepareOwn();
    own.setReturnArrays(this.#arrays);
    return own.iterate(...params);
  }

  setReturnArrays(enabled: boolean): void {
    this.#arrays = enabled;
  }

  #inMode(): Statement {
    const { entry } = this;
    if (entry.arrays !== this.#arrays) {
      entry.statement.setReturnArrays(this.#arrays);
      entry.arrays = this.#arrays;
    }
    return entry.statement;
  }
}
