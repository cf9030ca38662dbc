/** Types for build/keyword-scan-wasm.mjs (the test checks the committed module against its source). */
export function assemble(): Promise<Buffer>;
export function moduleSource(bytes: Buffer): string;
