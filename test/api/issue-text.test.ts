/** What a refused input says: plain words for the schemas' own checks, and a schema's message kept. */
import { describe, expect, it } from "vitest";
import { ApiInputError, parseMethodInput } from "../../shared/api.js";

function problem(method: Parameters<typeof parseMethodInput>[0], input: unknown): string {
  try {
    parseMethodInput(method, input as never);
  } catch (error) {
    if (error instanceof ApiInputError) return error.issue?.message ?? error.message;
    throw error;
  }
  throw new Error("expected the input to be refused");
}

describe("input problems in plain words", () => {
  it("names the allowed values of a vocabulary", () => {
    expect(problem("events.list", { severity: "bogus" })).toBe(
      "must be one of info, low, medium, high, critical",
    );
  });

  it("names the kind expected, and what is missing", () => {
    expect(problem("storage.schedule", { every: "1d", keep: "" })).toBe("must be a number");
    expect(problem("storage.schedule", { every: "1d" })).toBe("is required");
  });
});
