/**
 * The token a serve prints is the one it accepts: the one the data dir's `serve-token` holds once the
 * serve listens, also when another serve replaced it (`--new-token`) while this one was starting; and a
 * file that no longer holds a token is said once on stderr rather than only refusing every request.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { followServeToken, keepServeToken, serveTokenFile } from "../../electron/cli/serve-token.js";
import { writePrivateFileSync } from "../../electron/monitor/store/private-files.js";
import { tempDir } from "../helpers/mcp.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function dataDir(): Promise<string> {
  const dir = await tempDir("mcpscope-token-");
  cleanups.push(dir.cleanup);
  return dir.path;
}
const held = (dir: string) => readFileSync(serveTokenFile(dir), "utf8").trim();

it("a serve starting while another replaces the token prints and accepts the new one, never the old", async () => {
  const dir = await dataDir();
  keepServeToken(dir);
  const old = held(dir);
  // Serve A starts following the file, then waits for its port; serve B (--new-token) writes meanwhile.
  const accepted = followServeToken(dir);
  keepServeToken(dir, true);
  const renewed = held(dir);
  expect(renewed).not.toBe(old);
  // A listens now: its file already holds a token, kept as it is; what A prints is what it accepts.
  keepServeToken(dir);
  expect(accepted()).toBe(renewed);
  // Seen by A once it has answered a request, too (the stamp is of the file A read, not a later one).
  const again = followServeToken(dir);
  expect(again()).toBe(renewed);
  keepServeToken(dir, true);
  expect(again()).toBe(held(dir));
});

it("a first token is written only where no other start wrote one meanwhile", async () => {
  const dir = await dataDir();
  const file = serveTokenFile(dir);
  writePrivateFileSync(file, "a".repeat(32));
  expect(writePrivateFileSync(file, "b".repeat(32), { replace: false })).toBe(false);
  expect(held(dir)).toBe("a".repeat(32));
});

it("says once per change of the file that it holds no token, and why", async () => {
  const dir = await dataDir();
  keepServeToken(dir);
  const said: string[] = [];
  const accepted = followServeToken(dir, (why) => said.push(why));
  expect(accepted()).toBe(held(dir));
  rmSync(serveTokenFile(dir));
  expect([accepted(), accepted()]).toEqual(["", ""]);
  writeFileSync(serveTokenFile(dir), "");
  expect(accepted()).toBe("");
  writeFileSync(serveTokenFile(dir), "not a token\n");
  expect(accepted()).toBe("");
  const file = serveTokenFile(dir);
  expect(said).toEqual([`${file} was removed`, `${file} is empty`, `${file} holds no token`]);
  keepServeToken(dir);
  expect(accepted()).toBe(held(dir));
  expect(said).toHaveLength(3);
});
