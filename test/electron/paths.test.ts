import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appPaths, unpackedPath } from "../../electron/main/paths.js";

describe("app paths", () => {
  it("point into dist/ of the project in development", () => {
    const root = join("/home/me", "mcpscope");
    expect(appPaths(root)).toEqual({
      preload: join(root, "dist", "electron", "preload.cjs"),
      rendererIndex: join(root, "dist", "renderer", "index.html"),
      engineHost: join(root, "dist", "engine-host.mjs"),
      trayIcon: join(root, "build", "tray.png"),
    });
  });

  it("take the engine host from app.asar.unpacked when packaged, the rest from the asar", () => {
    const resources = join("/opt", "mcpscope", "resources");
    const paths = appPaths(join(resources, "app.asar"));
    expect(paths.engineHost).toBe(join(resources, "app.asar.unpacked", "dist", "engine-host.mjs"));
    expect(paths.preload).toBe(join(resources, "app.asar", "dist", "electron", "preload.cjs"));
    expect(unpackedPath(join(resources, "app"))).toBe(join(resources, "app"));
  });
});
