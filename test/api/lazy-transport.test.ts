/**
 * The CLI's in-process transport loads a group of handlers when one of its methods is first asked, and
 * only after that call's input was validated: a command loads what it asks and no other group, and input
 * the schemas refuse loads (and so opens) nothing.
 */
import { describe, expect, it } from "vitest";
import { type HandlerGroup, lazyTransport } from "../../electron/monitor/api/in-process.js";
import { ApiInputError, createApiClient } from "../../shared/api.js";

function counted(group: Omit<HandlerGroup, "load">, handlers: Awaited<ReturnType<HandlerGroup["load"]>>) {
  const loads = { count: 0 };
  return {
    loads,
    group: {
      ...group,
      load: async () => {
        loads.count++;
        return handlers;
      },
    },
  };
}

describe("lazyTransport", () => {
  it("loads a group once, on the first call of one of its methods, and no other group", async () => {
    const reads = counted(
      { methods: ["calls.get", "servers.list"] },
      { "calls.get": (input: { id: number }) => ({ id: input.id }), "servers.list": () => [] },
    );
    const edits = counted({ methods: ["tools.approve"] }, { "tools.approve": () => ({ approved: 0 }) });
    const api = createApiClient(lazyTransport([reads.group, edits.group]));
    expect(reads.loads.count).toBe(0);

    expect(await api.call("servers.list", {})).toEqual([]);
    expect(await api.call("calls.get", { id: 7 })).toEqual({ id: 7 });
    expect(reads.loads.count).toBe(1);
    expect(edits.loads.count).toBe(0);
  });

  it("validates the input before it loads anything", async () => {
    const reads = counted({ methods: ["calls.get"] }, { "calls.get": () => null });
    const transport = lazyTransport([reads.group]);
    const refused = await transport.invoke("calls.get", { id: -1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiInputError);
    expect((refused as ApiInputError).issue?.field).toBe("id");
    expect(reads.loads.count).toBe(0);
  });

  it("refuses a method no group serves, as the eager transport does, loading nothing", async () => {
    const reads = counted({ methods: ["calls.get"] }, { "calls.get": () => null });
    const transport = lazyTransport([reads.group]);
    for (const method of ["stats.get", "no.such"]) {
      const refused = await transport.invoke(method, {}).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ApiInputError);
      expect((refused as Error).message).toMatch(/not served in this process/);
    }
    expect(reads.loads.count).toBe(0);
    expect(() => transport.subscribe("calls.new", () => {})).toThrow(/events are not served in this process/);
  });
});
