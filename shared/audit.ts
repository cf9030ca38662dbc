/** The audit log's chain check, as every front reports it. */
import { z } from "zod";

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  /** Records walked, up to and including the first broken one. */
  records: z.number().int(),
  /** The first record that breaks the chain. */
  broken: z
    .object({
      id: z.number().int(),
      time: z.number(),
      timeIso: z.string(),
      reason: z.enum(["hash mismatch", "prev mismatch", "missing"]),
      message: z.string(),
    })
    .optional(),
  /** Where verification starts when retention pruned the chain's head: a checkpoint vouches for the rest. */
  from: z
    .object({
      id: z.number().int(),
      time: z.number(),
      timeIso: z.string(),
      /** The last pruned record's id. */
      prunedThrough: z.number().int(),
      /** The checkpoint's digest of every pruned record's hash. */
      digest: z.string(),
    })
    .optional(),
});
export type AuditVerify = z.infer<typeof AuditVerifySchema>;
