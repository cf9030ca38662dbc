/** Types for build/keyword-scan-wasm.mjs (the tests check the committed modules against their sources). */
export type WasmModuleName = "keyword-scan" | "json-quote" | "json-unquote";
export function assemble(name?: WasmModuleName): Promise<Buffer>;
export function moduleSource(bytes: Buffer, name?: WasmModuleName): string;
