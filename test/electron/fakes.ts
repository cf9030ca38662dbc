/**
 * Test doubles for the Electron shell: a fake utilityProcess (the main side of the host link) and a linked
 * pair that connects an EngineClient to the real host loop in process, cloning every message as
 * Electron's postMessage does.
 */
import { EventEmitter } from "node:events";
import type { HostProcess } from "../../electron/main/engine-process.js";
import type { HostToMain, MainToHost } from "../../electron/main/host-protocol.js";
import type { ParentPortLike } from "../../electron/main/host-service.js";

/** What the main process sees of a forked host: records what it is sent; the test plays the host. */
export class FakeHostProcess extends EventEmitter implements HostProcess {
  readonly sent: MainToHost[] = [];
  killed = false;

  postMessage(message: MainToHost): void {
    this.sent.push(structuredClone(message));
  }

  kill(): boolean {
    this.killed = true;
    return true;
  }

  /** The host answers or pushes something. */
  send(message: HostToMain | Record<string, unknown>): void {
    this.emit("message", structuredClone(message));
  }

  exit(code: number): void {
    this.emit("exit", code);
  }

  lastCall(): Extract<MainToHost, { type: "call" }> {
    const calls = this.sent.filter((m) => m.type === "call");
    const last = calls[calls.length - 1];
    if (!last) throw new Error("no call was sent");
    return last;
  }
}

/** A linked pair: the main side (a HostProcess) and the host side (a parentPort), asynchronous both ways. */
export interface LinkedHost {
  main: FakeHostProcess;
  port: ParentPortLike;
  /** For serveEngine's `exit`: records the code and tells main, as Electron does. */
  exit(code: number): void;
  exitCodes: number[];
}

export function linkedHost(): LinkedHost {
  const hostSide = new EventEmitter();
  const exitCodes: number[] = [];
  class LinkedMain extends FakeHostProcess {
    override postMessage(message: MainToHost): void {
      super.postMessage(message);
      const data = structuredClone(message);
      setImmediate(() => hostSide.emit("message", { data }));
    }
  }
  const main = new LinkedMain();
  const port: ParentPortLike = {
    on: (event, listener) => hostSide.on(event, listener),
    postMessage: (message) => {
      const copy = structuredClone(message);
      setImmediate(() => main.emit("message", copy));
    },
  };
  return {
    main,
    port,
    exitCodes,
    exit(code) {
      exitCodes.push(code);
      setImmediate(() => main.emit("exit", code));
    },
  };
}
