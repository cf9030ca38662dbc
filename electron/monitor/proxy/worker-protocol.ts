/** Messages between the wrapper's forwarding thread and its observer worker. */
import type { ChunksMessage } from "./copy-batch.js";

export interface WorkerInit {
  dataDir: string;
  sessionId: string;
  server: string;
  command: string;
  startedAt: number;
  wrapperPid: number;
  timeoutMs: number;
  captureLimit: number;
  maxLineBytes: number;
  /** The MCP client whose config launched this session (`run --client`), if known. */
  client: string | null;
  /** The config entry that launched this session (`run --entry`), if known. */
  entry?: string | null;
  /**
   * Three BigInt64s the forwarding thread sets as the session ends: the epoch ms after which the observer
   * stops parsing its backlog and only counts what it skips (set at exit; 0 while the session runs); once
   * the wrapper was asked to stop (a signal), the epoch ms by which it must be done (0 before): the last
   * write is then tried once, not retried while the database is locked, and no lock is waited for past
   * that time; and when the client closed its input (0 before). Any of them set: the session is ending.
   */
  drainDeadline: SharedArrayBuffer;
  /**
   * Two BigInt64s the worker keeps up to date: the calls of this session not stored so far (counted or
   * still queued), and the client's lines that reached it. What the wrapper reports if the worker cannot
   * answer at exit in time.
   */
  unstored?: SharedArrayBuffer;
  /** CONTROL_SLOTS Int32s shared with the forwarding thread: how long server lines are copied (line-elider.ts). */
  elision?: SharedArrayBuffer;
  /**
   * Two BigInt64s the worker writes instead of acknowledging each batch by message: the bytes of copies it
   * has handled in all, and when it last made progress (epoch ms). Copy slabs still go back by message.
   */
  progress?: SharedArrayBuffer;
}

/** `in`: client→server (stdin); `out`: server→client (stdout); `err`: the server's stderr. */
export type CopyStream = "in" | "out" | "err";

export type ToWorker =
  /** Copies gathered over a few milliseconds: one message and one ack per batch, not per chunk. */
  | ChunksMessage<CopyStream, never>
  /**
   * Copies of `stream` were dropped (the bounded queue was full): `droppedLines` lines ended in them, and
   * if `midLine`, the next copy starts inside a lost line (resync at the next newline); `at`: when the last
   * dropped bytes were read (the notice may come after later copies of other streams).
   */
  | {
      type: "gap";
      stream: CopyStream;
      droppedBytes: number;
      droppedLines: number;
      midLine: boolean;
      at: number;
    }
  | { type: "child"; pid: number | null }
  /** The server could not be started at all (`message`: the wrapper's own line, unmasked). */
  | { type: "start_failed"; at: number; message: string }
  | { type: "end"; stream: CopyStream; at: number }
  /** `exitedOnItsOwn`: the server exited before its client closed its input or signalled the wrapper. */
  | { type: "exit"; at: number; exitCode: number | null; signal: string | null; exitedOnItsOwn?: boolean };

export type FromWorker =
  /** `slabs`: the copy slabs of the batch, read and handed back for reuse (see copy-queue.ts). */
  | { type: "ack"; bytes: number; slabs?: ArrayBuffer[] }
  /** The database is open (or failed to open, said in a problem line): the worker handles messages now. */
  | { type: "ready" }
  /** One line for the wrapper's stderr (said once per kind of problem). */
  | { type: "problem"; message: string }
  /**
   * `unrecorded`: calls of this session not stored (dropped or unobserved); `stored`: whether the last
   * write, which holds the session's end and that count, was stored; `opened`: whether the database was
   * ever opened; `refusal`: why the last write was refused (a short phrase).
   */
  | {
      type: "closed";
      written: number;
      unrecorded: number;
      stored: boolean;
      opened: boolean;
      refusal: string | null;
    };

/** A `drainDeadline` (WorkerInit): three BigInt64s, all 0 while the session runs. */
export function drainDeadlineBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT);
}

/** Of a `drainDeadline`: whether the session is ending (the client closed its input, a stop, the exit). */
export function sessionEnding(drainDeadline: BigInt64Array): boolean {
  for (let slot = 0; slot < drainDeadline.length; slot++)
    if (Atomics.load(drainDeadline, slot) !== 0n) return true;
  return false;
}
