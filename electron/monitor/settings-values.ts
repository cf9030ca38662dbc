/**
 * The rule every settings.json section (logs, storage, metrics, events) applies to a retention, an interval
 * or a size: a positive duration of at most ten years, a size of at least one byte. Zero would delete
 * everything at the next pass; an over-long duration would be refused later, where it must not stop
 * anything. The zod forms here are for the engine's sections; the logs checker calls the same functions.
 */
import { z } from "zod";
import { positiveSizeProblem } from "../../shared/byte-sizes.js";
import { positiveDurationSettingProblem } from "../../shared/durations.js";

export const PositiveDurationSetting = z.string().superRefine((text, ctx) => {
  const problem = positiveDurationSettingProblem(text);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const PositiveSizeSetting = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const problem = positiveSizeProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
