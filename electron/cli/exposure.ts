/**
 * Where a server listening beyond loopback can be reached, for the one-line warning `proxy` and `serve`
 * print at start; a machine with no network address yet (a container, an offline laptop) is told so, not
 * given the wildcard address as a URL.
 */
import { maskText } from "../monitor/discovery/mask-config.js";

export function exposedWhere(exposedUrls: string[], port: number): string {
  return exposedUrls.length > 0
    ? `at ${exposedUrls.map(maskText).join(", ")}`
    : `on every address of this machine, port ${port}`;
}
