/**
 * Why the batch writer holds its rows rather than dropping them, as its `refusal` says it, which the
 * wrapper's main thread reads without loading the writer: rows held and never stored are lost only at
 * the end, and the wrapper's last line counts them.
 */

/** Another process held the database's lock. */
export const LOCKED = "the database was locked by another process";

/** The database has an older schema, which the app, `mcpscope serve` or a command upgrades. */
export const AWAITING_UPGRADE = "the database waits for an upgrade";
