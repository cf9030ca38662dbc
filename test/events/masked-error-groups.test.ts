/**
 * A server's error quoting a secret, through the built wrapper: the error event and its group show the
 * secret masked once, as the call stores it (an event's message is masked again when tracked).
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorGroup } from "../../shared/events.js";
import { connect, mcpscopeJson, tempDir, waitFor } from "../helpers/mcp.js";

const SERVER = fileURLToPath(new URL("../fixtures/leaky-server.mjs", import.meta.url));
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir();
  const client = await connect([SERVER], { dataDir: dir.path, name: "leaky" });
  await client.callTool({
    name: "fail",
    arguments: {
      texts: ["postgres://admin:S3cr3tPw0rd@db.internal:5432/prod (api_key=AbCdEf0123456789XYZ)"],
    },
  });
  await client.close();
});
afterAll(() => dir.cleanup());

describe("an error quoting a secret", () => {
  it("is grouped with the secret masked once, its kind and last four kept", async () => {
    const groups = await waitFor(async () => {
      const { groups } = await mcpscopeJson<{ groups: ErrorGroup[] }>([
        "events",
        "groups",
        "--data-dir",
        dir.path,
        "--server",
        "leaky",
      ]);
      return groups.length > 0 && groups;
    });
    const message = groups[0]?.message ?? "";
    expect(message).toContain("api_key=[masked:named-secret…9XYZ]");
    expect(message).toContain("postgres://admin:[masked:url-password]@db.internal");
    expect(message).not.toContain("[masked:[masked:");
    expect(message).not.toContain("S3cr3tPw0rd");
  });
});
