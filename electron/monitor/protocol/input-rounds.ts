/**
 * `input_required` rounds (stateless era): a request answered with one is not an outcome but a round,
 * completed by a later retry; the retry's call counts the rounds before it.
 */

import { isObject } from "./jsonrpc.js";
import { targetOf } from "./mcp.js";

export class InputRounds {
  /** Rounds waiting for the retry that carries their state. */
  private readonly open = new Map<string, { rounds: number; firstStartedAt: number }>();

  constructor(private readonly max: number) {}

  /** A request of `method` on `target` was answered `input_required` with `result`. */
  opened(
    request: { method: string; target: string | null; rounds: number; startedAt: number },
    result: unknown,
  ): void {
    const state = isObject(result) && typeof result.requestState === "string" ? result.requestState : null;
    if (this.open.size >= this.max) this.open.clear();
    // The retry echoes requestState exactly; without one, the retry is the next request for the same target.
    const key = state !== null ? `state:${state}` : `target:${request.method}|${request.target ?? ""}`;
    this.open.set(key, { rounds: request.rounds + 1, firstStartedAt: request.startedAt });
  }

  /** The rounds a new request completes, if it is a retry of an open one. */
  take(method: string, params: Record<string, unknown> | undefined): { rounds: number } | null {
    const state = typeof params?.requestState === "string" ? params.requestState : null;
    const isRetry = state !== null || (isObject(params) && isObject(params.inputResponses));
    if (!isRetry) return null;
    const key = state !== null ? `state:${state}` : `target:${method}|${targetOf(method, params) ?? ""}`;
    const round = this.open.get(key);
    if (round) this.open.delete(key);
    return round ?? null;
  }
}
