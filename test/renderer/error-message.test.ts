/** What a view shows of an error: the problem, not the API method it came through. */
import { describe, expect, it } from "vitest";
import { errorMessage } from "../../renderer/src/error-message.js";
import { ApiInputError, parseMethodInput } from "../../shared/api.js";

describe("errorMessage", () => {
  it("drops the method name of a refused input, keeping the field and the problem", () => {
    let thrown: unknown;
    try {
      parseMethodInput("storage.schedule", { every: "1d", keep: "" } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiInputError);
    expect(errorMessage(thrown)).toBe("keep: must be a number");
  });

  it("says a whole-input problem without a field name", () => {
    expect(errorMessage(new ApiInputError("reports.schedules.put", "input: give a folder"))).toBe(
      "give a folder",
    );
  });

  it("leaves other errors as they are", () => {
    expect(errorMessage(new Error("the engine is not running"))).toBe("the engine is not running");
    expect(errorMessage("text")).toBe("text");
  });
});
