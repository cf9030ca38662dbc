/** The audit log's chain check and its export, as every front reports them. */
import { z } from "zod";
import { PageLimitSchema } from "./units.js";

export { AUDIT_KEY_ID_HEX, digestKeyId, shortDigest } from "./audit-digest.js";

export const AuditVerifySchema = z.lazy(() =>
  z.object({
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
  }),
);
export type AuditVerify = z.infer<typeof AuditVerifySchema>;

/**
 * One audit record as stored (the hash covers these columns, hence their names), with the time also as
 * ISO 8601: what `audit.export` pages and `mcpscope audit export` writes as one JSON line.
 */
export const AuditRecordSchema = z.object({
  id: z.number().int(),
  time: z.number(),
  time_iso: z.string(),
  kind: z.enum(["call", "admin"]),
  actor: z.string().nullable(),
  server: z.string().nullable(),
  session_id: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  args_digest: z.string().nullable(),
  outcome: z.string().nullable(),
  /** Masked JSON text, or null. */
  details: z.string().nullable(),
  /** The previous record's hash in the per-record form; null in a batch, whose link chains instead. */
  prev_hash: z.string().nullable(),
  hash: z.string(),
  /** The batch link that seals the record; null for a record of the per-record form. */
  link: z.number().int().nullable(),
});
export type AuditExportRecord = z.infer<typeof AuditRecordSchema>;

export const AuditExportQuerySchema = z.lazy(() =>
  z
    .object({
      /**
       * Records at or after this, and before `until`: ISO 8601 or a duration back from now, which each call
       * resolves again; a front that pages resolves it once and sends the time.
       */
      since: z.string().min(1).max(64).optional(),
      until: z.string().min(1).max(64).optional(),
      /** Only records after this id: the `next` of the page before. */
      after: z.number().int().min(0).optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);
export type AuditExportQuery = z.infer<typeof AuditExportQuerySchema>;

export const AuditExportPageSchema = z.lazy(() =>
  z.object({
    /** In chain order. */
    records: z.array(AuditRecordSchema),
    /** The `after` of the next page; null when this page is the last. */
    next: z.number().int().nullable(),
  }),
);
export type AuditExportPage = z.infer<typeof AuditExportPageSchema>;
