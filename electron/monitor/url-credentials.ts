/**
 * `http://user:password@host/…` in a configured URL: fetch refuses such URLs, so the credentials travel
 * the way curl and browsers send them, as HTTP Basic auth, and the URL goes without them. A configured
 * `Authorization` header wins over the URL's credentials.
 */
export function splitUrlCredentials(
  url: URL,
  headers: Record<string, string>,
): { url: URL; headers: Record<string, string> } {
  if (!url.username && !url.password) return { url, headers };
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  if (Object.keys(headers).some((name) => name.toLowerCase() === "authorization"))
    return { url: bare, headers };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    url: bare,
    headers: { ...headers, Authorization: `Basic ${Buffer.from(pair).toString("base64")}` },
  };
}
