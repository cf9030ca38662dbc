/**
 * The CLI's side of the typed API: the method's schema validates what the flags say, and its first
 * problem becomes a usage error naming the flag (`--status: use firing, pending or resolved`).
 */

import type { z } from "zod";
import {
  API_METHODS,
  type ApiClient,
  describeZodError,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from "../../shared/api.js";
import { PLAIN_ISSUES } from "../../shared/issue-text.js";
import { UsageError } from "./args.js";

/**
 * Calls `method` with what the flags say, unchecked until its schema checks it here; an input the schema
 * refuses is a UsageError, named by `flags` (input key → flag).
 */
export async function callWithFlags<M extends MethodName>(
  api: ApiClient,
  method: M,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): Promise<MethodOutput<M>> {
  return api.call(method, checkFlags(method, input, flags));
}

/** What the flags say, checked by `method`'s schema; a refusal is a UsageError named by `flags`. */
export function checkFlags<M extends MethodName>(
  method: M,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): MethodInput<M> {
  const checked = API_METHODS[method].input.safeParse(input, PLAIN_ISSUES);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const flag = flags[String(issue?.path[0] ?? "")];
    throw new UsageError(flag && issue ? flagProblem(flag, issue.message) : describeZodError(checked.error));
  }
  return checked.data as MethodInput<M>;
}

/** One flag's value checked by `schema` in the CLI itself; a refusal is a UsageError naming the flag. */
export function checkFlag<T>(schema: z.ZodType<T>, flag: string, value: unknown): T {
  const checked = schema.safeParse(value, PLAIN_ISSUES);
  if (!checked.success)
    throw new UsageError(flagProblem(flag, checked.error.issues[0]?.message ?? "invalid"));
  return checked.data;
}

function flagProblem(flag: string, message: string): string {
  return `--${flag}: ${message}`;
}

/**
 * A numeric flag for a method's schema: its number, or the text as given when it is not one, so that the
 * schema's problem quotes it (`--limit: "abc" is not a number; use 1 to 1000`). Undefined when not given.
 */
export function numberOrText(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return (Number.isFinite(n) ? n : text) as number;
}
