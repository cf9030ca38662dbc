/**
 * `http://user:password@host/…` in a configured URL: fetch refuses such URLs, so the credentials travel
 * the way curl and browsers send them, as HTTP Basic auth, and the URL goes without them. A configured
 * `Authorization` header wins over the URL's credentials.
 */

/** The URL without its `user:password@`, and those as an HTTP Basic `Authorization` value (null: none). */
export function urlCredentials(url: URL): { bare: URL; basicAuth: string | null } {
  if (!url.username && !url.password) return { bare: url, basicAuth: null };
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  const pair = `${decoded(url.username)}:${decoded(url.password)}`;
  return { bare, basicAuth: `Basic ${Buffer.from(pair).toString("base64")}` };
}

export function splitUrlCredentials(
  url: URL,
  headers: Record<string, string>,
): { url: URL; headers: Record<string, string> } {
  const { bare, basicAuth } = urlCredentials(url);
  if (!basicAuth || Object.keys(headers).some((name) => name.toLowerCase() === "authorization"))
    return { url: bare, headers };
  return { url: bare, headers: { ...headers, Authorization: basicAuth } };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray `%` the URL kept as it was
  }
}
