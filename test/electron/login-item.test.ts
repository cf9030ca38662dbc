import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  autostartPath,
  createLoginItem,
  execArgument,
  HIDDEN_ARG,
  type LoginItemApp,
  launchedHidden,
} from "../../electron/main/login-item.js";

class FakeApp implements LoginItemApp {
  settings: { openAtLogin: boolean; args?: string[] }[] = [];
  queries: ({ args?: string[] } | undefined)[] = [];
  openAtLogin = false;
  wasOpenedAtLogin = false;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }) {
    this.settings.push(settings);
    this.openAtLogin = settings.openAtLogin;
  }
  getLoginItemSettings(options?: { args?: string[] }) {
    this.queries.push(options);
    return { openAtLogin: this.openAtLogin, wasOpenedAtLogin: this.wasOpenedAtLogin };
  }
}

/** The Exec line's arguments, unescaped and unquoted as a desktop environment does. */
function parseExec(value: string): string[] {
  // String-value escapes first (\s \n \t \r \\), then the Exec key's quoting.
  const unescaped = value.replace(
    /\\([sntr\\])/g,
    (_m, c: string) => ({ s: " ", n: "\n", t: "\t", r: "\r" })[c] ?? c,
  );
  const args: string[] = [];
  for (const match of unescaped.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    args.push(match[1] !== undefined ? match[1].replace(/\\(["`$\\])/g, "$1") : match[2]!);
  }
  return args.map((arg) => arg.replaceAll("%%", "%"));
}

function desktopEntry(text: string): Map<string, string> {
  const lines = text.split("\n").filter((line) => line !== "");
  expect(lines[0]).toBe("[Desktop Entry]");
  return new Map(
    lines.slice(1).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe("start at login on Linux (XDG autostart)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mcpscope-login-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const linux = (env: NodeJS.ProcessEnv, app = new FakeApp()) =>
    createLoginItem({
      platform: "linux",
      env,
      homeDir: join(dir, "home"),
      execPath: "/tmp/.mount_mcpscoXYZ/mcpscope",
      app,
    });

  it("writes a valid .desktop file under XDG_CONFIG_HOME/autostart that runs the AppImage hidden", () => {
    const configHome = join(dir, "config");
    const appImage = join(dir, "Apps", "mcpscope 0.1.0.AppImage");
    const item = linux({ XDG_CONFIG_HOME: configHome, APPIMAGE: appImage });
    expect(item.supported).toBe(true);
    expect(item.enabled()).toBe(false);

    item.set(true);
    const path = join(configHome, "autostart", "mcpscope.desktop");
    const entry = desktopEntry(readFileSync(path, "utf8"));
    expect(entry.get("Type")).toBe("Application");
    expect(entry.get("Name")).toBe("mcpscope");
    expect(entry.get("X-GNOME-Autostart-enabled")).toBe("true");
    expect(entry.get("Exec")).toBe(`"${appImage}" ${HIDDEN_ARG}`);
    expect(parseExec(entry.get("Exec")!)).toEqual([appImage, HIDDEN_ARG]);
    expect(item.enabled()).toBe(true);

    item.set(false);
    expect(existsSync(path)).toBe(false);
    expect(item.enabled()).toBe(false);
    item.set(false); // already off: no error
  });

  it("without XDG_CONFIG_HOME (or with a relative one) uses ~/.config; outside an AppImage, execPath", () => {
    const item = linux({ XDG_CONFIG_HOME: "relative/config" });
    item.set(true);
    const path = join(dir, "home", ".config", "autostart", "mcpscope.desktop");
    expect(autostartPath({}, join(dir, "home"))).toBe(path);
    expect(desktopEntry(readFileSync(path, "utf8")).get("Exec")).toBe(
      `/tmp/.mount_mcpscoXYZ/mcpscope ${HIDDEN_ARG}`,
    );
  });

  it("an entry the desktop turned off counts as off", () => {
    const configHome = join(dir, "config");
    const item = linux({ XDG_CONFIG_HOME: configHome });
    item.set(true);
    const path = join(configHome, "autostart", "mcpscope.desktop");
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"),
    );
    expect(item.enabled()).toBe(false);
    writeFileSync(path, "[Desktop Entry]\nType=Application\nHidden=true\n");
    expect(item.enabled()).toBe(false);
  });

  it("refresh points an enabled entry at the AppImage's new place, and leaves a missing one missing", () => {
    const configHome = join(dir, "config");
    const path = join(configHome, "autostart", "mcpscope.desktop");
    linux({ XDG_CONFIG_HOME: configHome }).refresh();
    expect(existsSync(path)).toBe(false);
    linux({ XDG_CONFIG_HOME: configHome, APPIMAGE: "/old/mcpscope.AppImage" }).set(true);
    linux({ XDG_CONFIG_HOME: configHome, APPIMAGE: "/new/mcpscope.AppImage" }).refresh();
    expect(desktopEntry(readFileSync(path, "utf8")).get("Exec")).toBe(`/new/mcpscope.AppImage ${HIDDEN_ARG}`);
  });

  it("says what failed when the entry cannot be written", () => {
    const blocked = join(dir, "file");
    writeFileSync(blocked, "");
    const item = linux({ XDG_CONFIG_HOME: blocked });
    expect(() => item.set(true)).toThrow(/^could not write .*mcpscope\.desktop: /);
  });

  it("quotes and escapes Exec arguments as the Desktop Entry Specification says", () => {
    for (const argument of [
      "/opt/mcp scope/app",
      'a"b',
      "back\\slash",
      "100%",
      "$HOME",
      "plain-path/x.AppImage",
      "",
    ]) {
      expect(parseExec(execArgument(argument))).toEqual([argument]);
    }
    expect(execArgument("back\\slash")).toBe('"back\\\\\\\\slash"');
    expect(execArgument("100%")).toBe("100%%");
  });

  it("in development the app's folder follows the Electron binary", () => {
    const configHome = join(dir, "config");
    mkdirSync(configHome);
    const item = createLoginItem({
      platform: "linux",
      env: { XDG_CONFIG_HOME: configHome },
      homeDir: dir,
      execPath: "/src/node_modules/electron/dist/electron",
      appArgs: ["/src"],
      app: new FakeApp(),
    });
    item.set(true);
    const exec = desktopEntry(readFileSync(join(configHome, "autostart", "mcpscope.desktop"), "utf8")).get(
      "Exec",
    );
    expect(parseExec(exec!)).toEqual(["/src/node_modules/electron/dist/electron", "/src", HIDDEN_ARG]);
  });
});

describe("start at login on macOS and Windows (Electron's login item settings)", () => {
  it("on darwin sets and reads openAtLogin through the app", () => {
    const app = new FakeApp();
    const item = createLoginItem({ platform: "darwin", env: {}, homeDir: "/Users/me", execPath: "/x", app });
    expect(item.enabled()).toBe(false);
    item.set(true);
    expect(app.settings).toEqual([{ openAtLogin: true }]);
    expect(item.enabled()).toBe(true);
    item.set(false);
    expect(app.settings.at(-1)).toEqual({ openAtLogin: false });
  });

  it("on win32 passes --hidden, and the same arguments when reading it back", () => {
    const app = new FakeApp();
    const item = createLoginItem({
      platform: "win32",
      env: {},
      homeDir: "C:\\Users\\me",
      execPath: "C:\\x.exe",
      app,
    });
    item.set(true);
    expect(app.settings).toEqual([{ openAtLogin: true, args: [HIDDEN_ARG] }]);
    expect(item.enabled()).toBe(true);
    expect(app.queries.at(-1)).toEqual({ args: [HIDDEN_ARG] });
  });

  it("elsewhere it is not supported and does nothing", () => {
    const app = new FakeApp();
    const item = createLoginItem({ platform: "aix", env: {}, homeDir: "/", execPath: "/x", app });
    expect(item.supported).toBe(false);
    item.set(true);
    expect(item.enabled()).toBe(false);
    expect(app.settings).toEqual([]);
  });
});

describe("a hidden launch", () => {
  it("is --hidden anywhere, or macOS's opened-at-login", () => {
    const app = new FakeApp();
    expect(launchedHidden(["/opt/mcpscope/mcpscope", HIDDEN_ARG], "linux", app)).toBe(true);
    expect(launchedHidden(["/opt/mcpscope/mcpscope"], "linux", app)).toBe(false);
    expect(launchedHidden(["/Applications/mcpscope.app/Contents/MacOS/mcpscope"], "darwin", app)).toBe(false);
    app.wasOpenedAtLogin = true;
    expect(launchedHidden(["/Applications/mcpscope.app/Contents/MacOS/mcpscope"], "darwin", app)).toBe(true);
    expect(launchedHidden(["C:\\mcpscope.exe"], "win32", app)).toBe(false);
  });
});
