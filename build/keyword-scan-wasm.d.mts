/** Types for build/keyword-scan-wasm.mjs (the tests check the committed modules against their sources). */
export type WasmModuleName = "keyword-scan" | "json-quote";
export function assemble(name?: WasmModuleName): Promise<Buffer>;
export function moduleSource(bytes: Buffer, name?: WasmModuleName): string;
