/** A sample notification and a real local HTTP receiver for the channel tests. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AlertNotification, NotifiedAlert } from "../../electron/monitor/alerts/channels/channel.js";

export function sampleAlert(overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    id: "a1",
    rule: "tool-error-rate",
    status: "firing",
    severity: "critical",
    labels: { server: "memory", tool: "echo" },
    summary: "Error rate 40% over 5m",
    value: 0.4,
    startsAt: "2026-11-25T10:00:00.000Z",
    endsAt: null,
    ...overrides,
  };
}

export function sampleNotification(alerts: NotifiedAlert[] = [sampleAlert()]): AlertNotification {
  return {
    version: "1",
    status: alerts.every((a) => a.status === "resolved") ? "resolved" : "firing",
    severity: "critical",
    receiver: "ops",
    groupKey: "tool-error-rate{server=memory}",
    groupLabels: { server: "memory" },
    title: `[FIRING:${alerts.length}] tool-error-rate server=memory`,
    alerts,
    createdAt: "2026-11-25T10:00:05.000Z",
  };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the next request; the default is 200. */
export type Responder = (res: ServerResponse, received: Received) => void;

export interface Receiver {
  url: string;
  requests: Received[];
  respond: (responder: Responder) => void;
  close: () => Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  let responder: Responder = (res) => res.end("ok");
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      responder(res, received);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => {
      responder = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
