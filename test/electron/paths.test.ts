import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appPaths, unpackedPath } from "../../electron/main/paths.js";

describe("app paths", () => {
  it("point into dist/ of the project in development", () => {
    const root = join("/home/me", "mcpscope");
    expect(appPaths(root, "linux")).toEqual({
      preload: join(root, "dist", "electron", "preload.cjs"),
      rendererIndex: join(root, "dist", "renderer", "index.html"),
      engineHost: join(root, "dist", "engine-host.mjs"),
      trayIcons: {
        ok: join(root, "build", "tray.png"),
        warning: join(root, "build", "tray-warning.png"),
        critical: join(root, "build", "tray-critical.png"),
      },
    });
  });

  it("name tray icons that exist in build/", () => {
    const root = join(import.meta.dirname, "..", "..");
    for (const platform of ["linux", "win32", "darwin"] as const)
      for (const icon of Object.values(appPaths(root, platform).trayIcons))
        expect(existsSync(icon), icon).toBe(true);
  });

  it("take macOS's template tray icons on darwin, the coloured ones elsewhere", () => {
    const root = join("/Applications", "mcpscope.app");
    expect(appPaths(root, "darwin").trayIcons.critical).toBe(
      join(root, "build", "tray-criticalTemplate.png"),
    );
    expect(appPaths(root, "win32").trayIcons.critical).toBe(join(root, "build", "tray-critical.png"));
  });

  it("take the engine host from app.asar.unpacked when packaged, the rest from the asar", () => {
    const resources = join("/opt", "mcpscope", "resources");
    const paths = appPaths(join(resources, "app.asar"));
    expect(paths.engineHost).toBe(join(resources, "app.asar.unpacked", "dist", "engine-host.mjs"));
    expect(paths.preload).toBe(join(resources, "app.asar", "dist", "electron", "preload.cjs"));
    expect(unpackedPath(join(resources, "app"))).toBe(join(resources, "app"));
  });
});
