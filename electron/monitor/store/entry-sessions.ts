/**
 * The sessions one config entry counts: those with its entry marker (`sessions.entry`); of those without
 * one, those with its client marker (`sessions.client`; null: started by hand), and with `unmarked`, also
 * those recorded without either. Same-named entries of several clients are told apart by it. The rule of
 * `counts` in inventory/entry-traffic.ts, here in SQL over the sessions aliased `s`.
 */

export interface EntrySessions {
  name: string;
  client: string | null;
  entry: string | null;
  unmarked: boolean;
}

export const ENTRY_SESSION =
  "(s.entry = ? OR (s.entry IS NULL AND (s.client IS ? OR (? AND s.client IS NULL))))";

/** ENTRY_SESSION's parameters for one entry. */
export const entryParams = (entry: EntrySessions) =>
  [entry.entry, entry.client, entry.unmarked ? 1 : 0] as const;
