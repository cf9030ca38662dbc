/** The `mcpscope` library entry: record an MCP SDK transport from inside the process that owns it. */
export { type ObserveOptions, observe, type TransportLike } from "./observe.js";
