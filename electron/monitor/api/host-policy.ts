/**
 * Which Host and Origin headers browser mode answers. On loopback (the default) only the loopback names:
 * a web page elsewhere cannot reach the API through DNS rebinding, since its Host is its own name. On an
 * explicit non-loopback listen (`--listen 0.0.0.0:7800`) the machine's own names and addresses are
 * accepted too, so that other machines can use the UI; the token stays mandatory either way. An Origin,
 * when a browser sends one, must be one of the same hosts over http.
 */
import { hostname, networkInterfaces } from "node:os";

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1"];

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.includes(h) || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** The names and addresses this machine answers to (IPv6 link-local zones left out: no Host carries them). */
export function machineNames(): string[] {
  const names = new Set<string>();
  const own = hostname().toLowerCase();
  if (own) names.add(own);
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (!a.address.includes("%")) names.add(a.address.toLowerCase());
  return [...names];
}

/** The addresses other machines can use: the listen address itself, or every non-internal one. */
export function exposedAddresses(listenHost: string): string[] {
  if (!isWildcard(listenHost)) return [listenHost];
  const wantV6 = listenHost === "::";
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? [])
      if (!a.internal && (a.family === "IPv4" || (wantV6 && !a.address.startsWith("fe80"))))
        out.push(a.address);
  return out;
}

/** `host:port` as a URL writes it (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Splits a Host header (`name:port`, `[v6]:port`, `name`) into a lower-case name and a port. */
function parseHost(header: string): { name: string; port: number } | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return null;
  return { name: (m[1] ?? m[2] ?? "").toLowerCase(), port: m[3] === undefined ? 80 : Number(m[3]) };
}

export interface HostPolicy {
  /** True on an explicit non-loopback listen: the UI is reachable from the network. */
  readonly exposed: boolean;
  hostAllowed(header: string | undefined): boolean;
  /** No Origin (a non-browser client) is fine; `null` or any other site is not. */
  originAllowed(origin: string | undefined): boolean;
}

export function hostPolicy(
  listenHost: string,
  port: () => number,
  names: () => string[] = machineNames,
): HostPolicy {
  const exposed = !isLoopback(listenHost);
  const fixed = new Set([listenHost.toLowerCase(), ...LOOPBACK_NAMES]);
  let known = exposed ? new Set([...fixed, ...names()]) : fixed;
  const nameAllowed = (name: string) => {
    if (known.has(name)) return true;
    if (!exposed) return false;
    // An address gained since start-up (a new network, DHCP): look once more.
    known = new Set([...fixed, ...names()]);
    return known.has(name);
  };
  const hostAllowed = (header: string | undefined) => {
    const parsed = header ? parseHost(header) : null;
    return parsed !== null && parsed.port === port() && nameAllowed(parsed.name);
  };
  return {
    exposed,
    hostAllowed,
    originAllowed(origin) {
      if (origin === undefined) return true;
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return false;
      }
      return url.protocol === "http:" && hostAllowed(url.port ? url.host : `${url.host}:80`);
    },
  };
}
