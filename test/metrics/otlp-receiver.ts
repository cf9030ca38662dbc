/** A real OTLP/HTTP receiver for the exporter tests. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// biome-ignore lint/suspicious/noExplicitAny: the OTLP JSON as the receiver got it, checked field by field
export type Json = any;

export interface Received {
  path: string;
  type: string;
  authorization?: string;
  body: Json;
}

/** A real OTLP/HTTP receiver on 127.0.0.1:0 that answers each request with the next planned status. */
export async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      got.push({
        path: req.url ?? "",
        type: String(req.headers["content-type"]),
        authorization: req.headers.authorization,
        body: JSON.parse(text),
      });
      res.writeHead(statuses.shift() ?? 200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
