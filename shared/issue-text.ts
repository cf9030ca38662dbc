/**
 * Plain words for what the schemas' own checks find wrong (`must be one of info, low, medium`, `must be a
 * number`), in place of the validation library's defaults (`Invalid option: expected one of "info"|…`).
 * A schema's own message, where it has one, still wins.
 */
import type { z } from "zod";

type Issue = z.core.$ZodRawIssue;

const KINDS: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "text",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

/** The sentence for one issue, or undefined to keep the library's. */
export function plainIssue(issue: Issue): string | undefined {
  switch (issue.code) {
    case "invalid_value": {
      const values = (issue.values as unknown[]).map(String);
      return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
    }
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const kind = KINDS[String(issue.expected)];
      return kind ? `must be ${kind}` : undefined;
    }
    case "too_small":
    case "too_big":
      return bound(issue);
    default:
      return undefined;
  }
}

function bound(issue: Issue & { code: "too_small" | "too_big" }): string | undefined {
  const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
  const small = issue.code === "too_small";
  const exclusive = issue.inclusive === false;
  switch (issue.origin) {
    case "number":
    case "int":
      if (exclusive) return small ? `must be more than ${limit}` : `must be less than ${limit}`;
      return small ? `must be at least ${limit}` : `must be at most ${limit}`;
    case "string":
      if (small && limit === 1) return "must not be empty";
      return small ? `must be at least ${limit} characters` : `must be at most ${limit} characters`;
    case "array":
    case "set":
      if (small && limit === 1) return "must not be empty";
      return small ? `needs at least ${limit} items` : `takes at most ${limit} items`;
    default:
      return undefined;
  }
}

/** The parse options that put plain words in a schema's issues. */
export const PLAIN_ISSUES = { error: plainIssue } as const;
