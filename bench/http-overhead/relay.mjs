#!/usr/bin/env node
/**
 * The baseline for the http-overhead bench: the least an HTTP reverse proxy can do. It pipes each
 * request to UPSTREAM (same path, headers minus Host and Connection) and pipes the response back, with
 * no parsing and no copy. Prints `listening PORT` on stdout.
 *
 *   node bench/http-overhead/relay.mjs http://127.0.0.1:3001
 */
import http from "node:http";

const upstream = new URL(process.argv[2] ?? "");
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const { host: _host, connection: _connection, ...headers } = req.headers;
  const out = http.request(
    new URL(req.url ?? "/", upstream.origin),
    { method: req.method, headers, agent },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.flushHeaders();
      up.pipe(res);
    },
  );
  out.on("error", () => res.destroy());
  res.on("close", () => out.destroy());
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
