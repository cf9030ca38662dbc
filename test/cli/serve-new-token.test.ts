/**
 * `serve --new-token` revokes a token that leaked: the next start prints a new one, the old one is refused
 * by the API, and starts without the flag keep the new one.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { tempDir } from "../helpers/mcp.js";
import { apiCall, type Serve, startServe } from "../ui/browser.js";

let data: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  data = await tempDir("mcpscope-newtoken-");
});
afterAll(() => data.cleanup());

const tokenOf = (serve: Serve) => new URL(serve.url).hash.replace("#token=", "");

async function withServe<T>(flags: string[], use: (serve: Serve) => Promise<T>): Promise<T> {
  const serve = await startServe(data.path, process.env, "127.0.0.1:0", flags);
  try {
    return await use(serve);
  } finally {
    await serve.stop();
  }
}

it("replaces the token, refuses the old one, and keeps the new one at the next start", async () => {
  const old = await withServe([], async (serve) => tokenOf(serve));
  const renewed = await withServe(["--new-token"], async (serve) => {
    const token = tokenOf(serve);
    expect(token).not.toBe(old);
    await expect(apiCall({ ...serve, url: `${serve.origin}/#token=${old}` }, "system.info")).rejects.toThrow(
      /401|token/,
    );
    await expect(apiCall(serve, "system.info")).resolves.toBeTruthy();
    return token;
  });
  await withServe([], async (serve) => expect(tokenOf(serve)).toBe(renewed));
}, 60_000);
