/**
 * The alert a link opens: `#/alerts?alert=<id>`. The Electron main process navigates the window to that
 * hash when a native notification is clicked. Browser mode's token handling may have re-encoded such a
 * hash (`#%2Falerts%3Falert=…`) when it removed `token=` from it, so that form is decoded first.
 */

/** The query of an `#/alerts…` hash (`""` when it has none), or null for any other hash. */
function alertsQuery(hash: string): string | null {
  let text = hash.replace(/^#/, "");
  if (/^%2Falerts/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  const match = /^\/?alerts(?:\?(.*))?$/.exec(text);
  return match ? (match[1] ?? "") : null;
}

/** Whether the hash asks for the Alerts view (with or without an alert). */
export function isAlertsHash(hash: string): boolean {
  return alertsQuery(hash) !== null;
}

/** The id of the alert the hash opens, or null. */
export function alertFromHash(hash: string): string | null {
  const query = alertsQuery(hash);
  if (query === null) return null;
  return new URLSearchParams(query).get("alert") || null;
}

export function alertHash(id: string): string {
  return `#/alerts?alert=${encodeURIComponent(id)}`;
}
