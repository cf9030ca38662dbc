// The app's native question before a request that runs a program or names a place elsewhere: the engine
// judges the request, the user answers, and Cancel reaches the window as one line while the engine never
// sees the request. Through the consent hook alone, and through the shell's wiring over its fakes.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { type consentDialog, createRequestConsent } from "../../electron/main/request-consent.js";
import { createShell } from "../../electron/main/shell.js";
import { IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import { CONSENT_DECLINED, type Consent } from "../../shared/request-policy.js";
import { fakeShellParts } from "./fake-shell.js";
import type { FakeHostProcess } from "./fakes.js";

const consent: Consent = {
  reason: "adds a server that runs `/usr/bin/touch /tmp/x`",
  question: "Add a server that runs `/usr/bin/touch /tmp/x`?",
  detail: "mcpscope will start this program.",
  confirm: "Add",
  elsewhere: "add it in the desktop app",
};
const stdioServer = { name: "x", transport: "stdio", command: "/usr/bin/touch", args: ["/tmp/x"] };

describe("the consent hook", () => {
  function setup(review: Consent | null, response: number) {
    const invoke = vi.fn(async (_method: string, _input: unknown): Promise<unknown> => review);
    const ask = vi.fn(async (_options: ReturnType<typeof consentDialog>) => ({ response }));
    return { hook: createRequestConsent({ engine: { invoke }, ask }), invoke, ask };
  }

  it("asks nothing, not even the engine, for a method that cannot name a program or a place", async () => {
    const { hook, invoke, ask } = setup(consent, 1);
    await expect(hook("servers.start", { id: "x" })).resolves.toBeNull();
    expect(invoke).not.toHaveBeenCalled();
    expect(ask).not.toHaveBeenCalled();
  });

  it("asks nothing when the engine finds nothing new", async () => {
    const { hook, invoke, ask } = setup(null, 1);
    await expect(hook("alerts.channels.put", { yaml: "name: a" })).resolves.toBeNull();
    expect(invoke).toHaveBeenCalledWith("requests.review", {
      method: "alerts.channels.put",
      input: { yaml: "name: a" },
    });
    expect(ask).not.toHaveBeenCalled();
  });

  it("asks with the engine's words, Cancel the default and the Escape answer", async () => {
    const { hook, ask } = setup(consent, 1);
    await expect(hook("servers.add", stdioServer)).resolves.toBe(CONSENT_DECLINED);
    expect(ask).toHaveBeenCalledWith(
      expect.objectContaining({
        message: consent.question,
        detail: consent.detail,
        buttons: ["Add", "Cancel"],
        defaultId: 1,
        cancelId: 1,
      }),
    );
  });

  it("goes on when the user presses Add", async () => {
    const { hook } = setup(consent, 0);
    await expect(hook("servers.add", stdioServer)).resolves.toBeNull();
  });
});

describe("the shell asks before relaying such a request", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function addServer(response: number) {
    const fake = fakeShellParts({ rendererUrl: RENDERER_URL, messageBoxResponse: response });
    createShell(fake.parts).ready();
    const host = fake.hosts[0] as FakeHostProcess;
    const relay = fake.ipcMain.handlers.get(IPC_INVOKE_CHANNEL);
    if (!relay) throw new Error("no handler on the invoke channel");
    const win = fake.app.windows[0];
    if (!win) throw new Error("no window");
    const reply = relay(
      { sender: win.webContents, senderFrame: { url: RENDERER_URL } },
      "servers.add",
      stdioServer,
    );
    await vi.advanceTimersByTimeAsync(0);
    const review = host.lastCall();
    expect(review).toMatchObject({ method: "requests.review", input: { method: "servers.add" } });
    host.send({ type: "result", id: review.id, result: consent });
    await vi.advanceTimersByTimeAsync(0);
    return { fake, host, reply };
  }

  it("Cancel: the window gets one line and the engine never sees the request", async () => {
    const { fake, host, reply } = await addServer(1);
    await expect(reply).resolves.toEqual({ error: { message: CONSENT_DECLINED, kind: "cancelled" } });
    expect(fake.messageBoxes).toEqual([consent.question]);
    const calls = host.sent.filter((m) => m.type === "call").map((m) => m.method);
    expect(calls).not.toContain("servers.add");
  });

  it("Add: the request goes on to the engine and its answer reaches the window", async () => {
    const { host, reply } = await addServer(0);
    const call = host.lastCall();
    expect(call).toMatchObject({ method: "servers.add", input: stdioServer });
    host.send({ type: "result", id: call.id, result: { ok: true, message: "x added" } });
    await expect(reply).resolves.toEqual({ result: { ok: true, message: "x added" } });
  });
});
