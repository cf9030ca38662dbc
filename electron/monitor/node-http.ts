/**
 * node:http for the API server and the HTTP proxy, taken as Node's own module object rather than through
 * an ES `import`: to build an ES module's view of a builtin, Node reads each of its exports, and
 * node:http's `WebSocket`, `CloseEvent` and `MessageEvent` are getters that load undici, about 70 ms of
 * CPU at each start of `mcpscope serve` for classes nothing here uses (9 ms for the module alone).
 */
import type * as Http from "node:http";

export const nodeHttp: typeof Http = process.getBuiltinModule("node:http");
