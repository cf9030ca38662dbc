/**
 * A stand-in for a worker that is not started yet: messages posted to it are held, in order, with their
 * transfer lists, and handed to the worker once it is attached. What it holds is bounded by the sender
 * (the copy queue counts held copies against its bound like any other copy in flight).
 */
import type { Worker } from "node:worker_threads";

type Port = Pick<Worker, "postMessage">;
type Transfer = Parameters<Port["postMessage"]>[1];

export class HeldPort implements Port {
  private held: [unknown, Transfer][] = [];
  private target: Port | null = null;

  postMessage(message: unknown, transfer?: Transfer): void {
    if (this.target) this.target.postMessage(message, transfer);
    else this.held.push([message, transfer]);
  }

  /** Hands what was held to `target`, in order; later messages go straight to it. */
  attach(target: Port): void {
    const held = this.held;
    this.held = [];
    this.target = target;
    for (const [message, transfer] of held) target.postMessage(message, transfer);
  }

  /** Messages held so far (none once attached). */
  get size(): number {
    return this.held.length;
  }

  /** The worker will never start: forget what was held. */
  discard(): void {
    this.held = [];
  }
}
