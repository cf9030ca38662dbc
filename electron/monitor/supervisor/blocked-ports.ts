/**
 * The ports fetch refuses to connect to for safety (the Fetch standard's "bad ports": 6000 for X11,
 * 6667 for IRC, …). Browsers block them too, so a server or a proxy listening on one is out of reach of
 * every fetch-based MCP client.
 */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function fetchBlocksPort(port: number): boolean {
  return FETCH_BLOCKED_PORTS.has(port);
}

/** The one wording for it; the caller adds what to do. */
export function blockedPortText(port: number | string): string {
  return `fetch refuses port ${port} for safety (browsers block it too)`;
}
