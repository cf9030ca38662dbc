/**
 * What a list view's count says. The views load the newest rows page by page and never count every
 * matching row (that would scan millions), so the count says how many are loaded whenever more match.
 */
import { plural } from "../../shared/plural.js";

export type ListExtent =
  /** Every matching row is loaded. */
  | "all"
  /** Older matching rows can still be loaded. */
  | "more"
  /** The view keeps no more rows: older matching rows are out of reach until the query narrows. */
  | "capped";

const count = (n: number) => n.toLocaleString();

/** `12 calls`; `200 newest calls loaded · scroll for more`; `newest 2,000 calls loaded · narrow …`. */
export function listCountText(
  n: number,
  nouns: { one: string; many: string },
  extent: ListExtent,
  moreHint: string,
  narrowHint: string,
): string {
  if (extent === "all") return plural(n, nouns.one, nouns.many, count);
  if (extent === "capped") return `newest ${plural(n, nouns.one, nouns.many, count)} loaded · ${narrowHint}`;
  return `${count(n)} newest ${n === 1 ? nouns.one : nouns.many} loaded · ${moreHint}`;
}
