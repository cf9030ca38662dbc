/**
 * The one policy for requests that name a program to run or a place outside the data dir: what it
 * judges new (against what a request would replace), and browser mode's HTTP transport refusing each form
 * with one line and running nothing unless started to allow it. Also the events socket's statuses.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { channelYamls } from "../../electron/monitor/alerts/channel-file.js";
import { describeTarget } from "../../electron/monitor/alerts/channels/describe.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { type PolicyContext, reviewRequest } from "../../electron/monitor/api/request-policy.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { SECRET_MASK } from "../../shared/alerts.js";
import { API_METHODS } from "../../shared/api.js";
import { REVIEWED_METHODS } from "../../shared/request-policy.js";

/** A data dir whose alerts.yaml holds the command channel `script`, with an env secret and a masked argument. */
const dataDir = mkdtempSync(join(tmpdir(), "mcpscope-policy-unit-"));
writeFileSync(
  join(dataDir, "alerts.yaml"),
  `channels:
  - name: script
    type: command
    command: /usr/bin/notify
    args: ["--urgent", "--api-key", "abcdef123456789"]
    env: { TOKEN: "t-1234567" }
`,
);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
/** The YAML the UI's channel editor shows for `script`, and sends back when saved untouched. */
const shownScript = () => channelYamls(dataDir).get("script") ?? "";
const stored: PolicyContext = {
  dataDir,
  home: "/home/ann",
  schedules: () => [
    {
      name: "weekly",
      period: "week",
      at: "09:00",
      formats: ["html"],
      channels: [],
      folder: "/mnt/share",
      enabled: true,
    },
  ],
};
/** The parts of HTTP answers these tests read. */
interface Answer {
  result?: {
    ok?: boolean;
    status?: string;
    servers?: { name: string }[];
    channels?: { name: string; yaml: string }[];
    schedules?: unknown[];
  };
  error?: { message: string; kind: string };
}

const review = (method: string, input: unknown) => reviewRequest(method, input, stored);
const channelYaml = (command: string, args: string[], extra = "") =>
  `name: script\ntype: command\ncommand: ${command}\nargs: ${JSON.stringify(args)}\n${extra}`;
const schedule = (folder: string, name = "daily") => ({ name, period: "day", at: "08:00", folder });

describe("the request policy", () => {
  it("asks about a server that runs a program, showing its command line masked", () => {
    const consent = review("servers.add", {
      name: "x",
      transport: "stdio",
      command: "node",
      args: ["server.js", "--api-key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"],
    });
    expect(consent?.question).toMatch(/^Add a server that runs `node server\.js --api-key '\[masked:/);
    expect(JSON.stringify(consent)).not.toContain("abcdefghijklmnop");
    expect(review("servers.add", { name: "r", transport: "http", url: "http://127.0.0.1:9/mcp" })).toBeNull();
    const remoteWithCommand = { name: "r", transport: "http", url: "http://127.0.0.1:9/mcp", command: "sh" };
    expect(review("servers.add", remoteWithCommand)).not.toBeNull();
  });

  it("asks about a new or changed command channel, not one saved again as the editor shows it", () => {
    expect(review("alerts.channels.put", { yaml: channelYaml("/usr/bin/touch", ["/tmp/x"]) })?.reason).toBe(
      "saves an alert channel that runs `/usr/bin/touch /tmp/x`",
    );
    const file = readFileSync(join(dataDir, "alerts.yaml"), "utf8");
    expect(shownScript()).toContain(`TOKEN: ${SECRET_MASK}`);
    expect(shownScript()).not.toContain("abcdef123456789");
    expect(review("alerts.channels.put", { yaml: shownScript(), replaces: "script" })).toBeNull();
    expect(review("alerts.channels.put", { yaml: shownScript() })).toBeNull();
    const otherTimeout = `${shownScript()}`.replace(/timeout: .*/, "timeout: 5s");
    expect(review("alerts.channels.put", { yaml: otherTimeout, replaces: "script" })).toBeNull();
    // A stored secret typed in clear is asked about, matching or not: the answer must not confirm a guess.
    const guess = (token: string) => shownScript().replace(/TOKEN: .*/, `TOKEN: ${token}`);
    expect(review("alerts.channels.put", { yaml: guess("t-1234567"), replaces: "script" })).not.toBeNull();
    expect(review("alerts.channels.put", { yaml: guess("t-7654321"), replaces: "script" })).not.toBeNull();
    const clearArg = shownScript().replace(/- "?\[masked:[^\n]*/, "- abcdef123456789");
    expect(clearArg).toContain("abcdef123456789");
    expect(review("alerts.channels.put", { yaml: clearArg, replaces: "script" })).not.toBeNull();
    expect(
      review("alerts.channels.put", { yaml: shownScript().replace(/env:\n.*/, `env: "${SECRET_MASK}"`) }),
    ).toBeNull();
    // A stored secret never follows an edited command line: refused as the save refuses it.
    const otherArg = shownScript().replace("--urgent", "--other");
    expect(() => review("alerts.channels.put", { yaml: otherArg, replaces: "script" })).toThrow(
      /command line changed/,
    );
    const typed = channelYaml(
      "/usr/bin/notify",
      ["--other", "--api-key", "abcdef123456789"],
      "env: { TOKEN: t-1234567 }\n",
    );
    // Judged from the clear values, masked once: no `…]]` from masking a mask.
    expect(review("alerts.channels.put", { yaml: typed, replaces: "script" })?.question).toBe(
      `Save an alert channel that runs \`/usr/bin/notify --other --api-key '[masked:named-secret]'\` with environment TOKEN=${SECRET_MASK}?`,
    );
    const newEnv = shownScript().replace(/env:\n.*/, "env: { LD_PRELOAD: /tmp/x.so }");
    expect(review("alerts.channels.put", { yaml: newEnv })).not.toBeNull();
    // Renamed from another channel: judged against the one it replaces.
    const renamed = shownScript().replace("name: script", "name: script2");
    expect(review("alerts.channels.put", { yaml: renamed, replaces: "script" })).toBeNull();
    // With nothing to restore a masked field from, the review refuses as the save would.
    expect(() => review("alerts.channels.put", { yaml: renamed })).toThrow(/masked value/);
    expect(
      review("alerts.channels.put", { yaml: "name: hook\ntype: webhook\nurl: https://example.com/h\n" }),
    ).toBeNull();
    expect(readFileSync(join(dataDir, "alerts.yaml"), "utf8")).toBe(file);
  });

  it("shows what the program runs with, and writes out characters that hide or reorder text", () => {
    // The variables that change what runs are shown with their values (masked as any configured value),
    // or the user would agree to run `node server.js` and get /tmp/evil.js; the others stay hidden.
    const server = review("servers.add", {
      name: "x",
      transport: "stdio",
      command: "node",
      args: ["server.js"],
      env: {
        NODE_OPTIONS: "--require /tmp/evil.js",
        LD_PRELOAD: "/tmp/evil.so",
        PYTHONPATH: "/tmp/evil",
        DYLD_INSERT_LIBRARIES: "/tmp/evil.dylib",
        NODE_EXTRA_OPTS: "https://u:UrlPw9x8c7v@example.com",
        API_TOKEN: "tok-Q1w2e3r4t5",
      },
      cwd: "/tmp/evil",
    });
    expect(server?.question).toBe(
      `Add a server that runs \`node server.js\` with environment NODE_OPTIONS='--require /tmp/evil.js', LD_PRELOAD=/tmp/evil.so, PYTHONPATH=/tmp/evil, DYLD_INSERT_LIBRARIES=/tmp/evil.dylib, NODE_EXTRA_OPTS=${SECRET_MASK}, API_TOKEN=${SECRET_MASK}, in /tmp/evil?`,
    );
    expect(server?.reason).toContain("NODE_OPTIONS='--require /tmp/evil.js'");
    const secretPreload = review("servers.add", {
      name: "x",
      transport: "stdio",
      command: "node",
      env: { NODE_OPTIONS: "--require /tmp/a.js --proxy=https://u:UrlPw9x8c7v@proxy.example.com" },
    });
    expect(secretPreload?.question).toContain("NODE_OPTIONS='--require /tmp/a.js --proxy=https://u:[masked:");
    expect(JSON.stringify([server, secretPreload])).not.toMatch(/UrlPw9x8c7v|Q1w2e3r4t5/);
    const envOnly = shownScript().replace(/env:\n.*/, "env: { LD_PRELOAD: /tmp/evil.so }");
    const changed = review("alerts.channels.put", { yaml: envOnly, replaces: "script" });
    expect(changed?.question).toBe(
      `Change the environment (LD_PRELOAD=/tmp/evil.so) of the alert channel that runs \`/usr/bin/notify --urgent --api-key '[masked:named-secret]'\`?`,
    );
    const bidi = review("servers.add", {
      name: "x",
      transport: "stdio",
      command: "/usr/bin/python3",
      args: ["-c", "print(1)\u202e", "a\u200bb"],
      env: { "X\u2066": "1" },
      cwd: "/tmp/\u2028x",
    });
    expect(bidi?.question).toBe(
      `Add a server that runs \`/usr/bin/python3 -c 'print(1)\\u{202e}' 'a\\u{200b}b'\` with environment X\\u{2066}=${SECRET_MASK}, in /tmp/\\u{2028}x?`,
    );
    expect(JSON.stringify(bidi)).not.toMatch(/[\u202e\u200b\u2066\u2028]/u);
    const places = [
      review("reports.schedules.put", schedule("/srv/\u202ereports")),
      review("discovery.list", { home: "/home/\u200bann" }),
      review("instrument.entry", { client: "claude-code", server: "x", file: "/tmp/\u2066x.json" }),
    ];
    expect(places.map((c) => c?.question)).toEqual([
      "Write scheduled reports into /srv/\\u{202e}reports?",
      "Read the MCP configs under /home/\\u{200b}ann?",
      "Edit the client config under /tmp/\\u{2066}x.json?",
    ]);
  });

  it("never shows a stored secret in its question, not even one an alias carried into an argument", () => {
    const aliased = mkdtempSync(join(tmpdir(), "mcpscope-policy-alias-"));
    try {
      writeFileSync(
        join(aliased, "alerts.yaml"),
        `channels:
  - { name: mail, type: email, host: smtp.example.com, port: 587, from: a@example.com, to: [b@example.com], username: a, password: &pw Zq7plainword }
  - name: cmd
    type: command
    command: /bin/echo
    args: [--x, *pw]
`,
      );
      const shown = channelYamls(aliased).get("cmd") ?? "";
      expect(shown).not.toContain("Zq7plainword");
      const context = { ...stored, dataDir: aliased };
      const consent = reviewRequest("alerts.channels.put", { yaml: `${shown}env:\n  FOO: bar\n` }, context);
      expect(consent?.question).toMatch(/^Change the environment \(FOO=••••••\)/);
      expect(JSON.stringify(consent)).not.toContain("Zq7plainword");
      // A new command with the masked argument left in is refused, naming the field, not the value.
      expect(() =>
        reviewRequest("alerts.channels.put", { yaml: shown.replace("/bin/echo", "/bin/printf") }, context),
      ).toThrow(/^channel\.args\[1\]: the command line changed; enter the secret again$/);
    } finally {
      rmSync(aliased, { recursive: true, force: true });
    }
  });

  it("shows a command line in its question as the channel's target shows it", () => {
    const args = ["a b", "it's", "--api-key", "abcdef123456789"];
    const target = describeTarget({ name: "n", type: "command", command: "/bin/x", args, timeout: 1 });
    expect(target).toBe(`/bin/x 'a b' 'it'\\''s' --api-key '[masked:named-secret]'`);
    const asked = review("alerts.channels.put", { yaml: channelYaml("/bin/x", args).replace("script", "n") });
    expect(asked?.question).toBe(`Save an alert channel that runs \`${target}\`?`);
  });

  it("asks about a schedule folder outside the home folder and the data dir's reports, unless it is unchanged", () => {
    expect(review("reports.schedules.put", schedule("/home/ann/reports"))).toBeNull();
    expect(review("reports.schedules.put", schedule(join(dataDir, "reports/daily")))).toBeNull();
    expect(review("reports.schedules.put", schedule("/etc/cron.d"))?.reason).toBe(
      "writes scheduled reports into /etc/cron.d, outside your home folder",
    );
    expect(review("reports.schedules.put", schedule("/home/ann/../bob"))).not.toBeNull();
    expect(review("reports.schedules.put", schedule("/home/ann"))).not.toBeNull();
    // A home of `/` (systemd DynamicUser, many containers) makes no folder "under the home folder".
    const rootHome = { ...stored, home: "/" };
    expect(reviewRequest("reports.schedules.put", schedule("/etc/cron.d"), rootHome)).not.toBeNull();
    expect(reviewRequest("reports.schedules.put", schedule("/home/ann/reports"), rootHome)).not.toBeNull();
    expect(reviewRequest("reports.schedules.put", schedule(join(dataDir, "reports/x")), rootHome)).toBeNull();
    expect(review("reports.schedules.put", schedule("/mnt/share", "weekly"))).toBeNull();
    expect(review("reports.schedules.put", schedule("/mnt/share", "other"))).not.toBeNull();
  });

  it("asks about a schedule folder under home that a link takes outside it", () => {
    const home = join(dataDir, "home");
    const outside = join(dataDir, "outside");
    mkdirSync(join(home, "reports"), { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(home, "lnk"));
    const ctx = { ...stored, home };
    // The writer follows the link: the files would land in `outside`, not under home.
    for (const folder of [join(home, "lnk"), join(home, "lnk", "daily", "new")])
      expect(reviewRequest("reports.schedules.put", schedule(folder), ctx)?.reason, folder).toMatch(
        /outside your home folder$/,
      );
    expect(reviewRequest("reports.schedules.put", schedule(join(home, "reports")), ctx)).toBeNull();
    expect(reviewRequest("reports.schedules.put", schedule(join(home, "not", "yet")), ctx)).toBeNull();
  });

  it("asks about another home, project folder or config file", () => {
    expect(review("discovery.list", {})).toBeNull();
    expect(review("discovery.list", { client: "cursor" })).toBeNull();
    expect(review("discovery.list", { projectDirs: ["/srv/p"] })?.reason).toContain("/srv/p");
    expect(review("discovery.list", { home: "/home/bob" })).not.toBeNull();
    expect(review("instrument.entry", { client: "claude-code", server: "x" })).toBeNull();
    for (const place of [{ home: "/home/bob" }, { project: "/srv/p" }, { file: "/home/bob/.claude.json" }])
      expect(review("instrument.entry", { client: "claude-code", server: "x", ...place })).not.toBeNull();
    expect(review("instrument.undo", { all: true })).toBeNull();
    expect(review("instrument.undo", { all: true, home: "/home/bob" })).not.toBeNull();
    expect(review("instrument.repair", {})).toBeNull();
    for (const place of [{ home: "/home/bob" }, { file: "/home/bob/.claude.json" }])
      expect(review("instrument.repair", place)?.elsewhere).toContain("`mcpscope instrument --repair`");
  });

  it("reviews every method whose input can name a program or a place: the others take no such key", () => {
    const placeKeys = /"(command|args|env|cwd|folder|home|file|project|projectDirs)":/g;
    const unreviewed = Object.entries(API_METHODS).filter(
      // servers.check names a command only to be refused by the engine whatever the front.
      ([m]) => !REVIEWED_METHODS.has(m as never) && m !== "servers.check",
    );
    expect(unreviewed.length).toBeGreaterThan(50);
    for (const [method, spec] of unreviewed) {
      const schema = JSON.stringify(z.toJSONSchema(spec.input, { unrepresentable: "any", io: "input" }));
      expect(
        [...schema.matchAll(placeKeys)].map((k) => k[1]),
        method,
      ).toEqual([]);
    }
    // The reviewed ones do, which is what the pattern looks for.
    const added = JSON.stringify(z.toJSONSchema(API_METHODS["servers.add"].input, { io: "input" }));
    expect(added).toMatch(placeKeys);
  });

  it("refuses an input that does not match its method's schema, as the call would", () => {
    expect(() => review("servers.add", { name: "x", transport: "stdio" })).toThrow(
      /^invalid input for servers\.add/,
    );
  });
});

describe("browser mode's HTTP transport", () => {
  // Made now: the refused forms below name files in it.
  const root = mkdtempSync(join(tmpdir(), "mcpscope-policy-"));
  let engine: Engine;
  let strict: Awaited<ReturnType<typeof startHttpServer>>;
  let allowing: Awaited<ReturnType<typeof startHttpServer>>;
  const token = "p".repeat(40);
  const evilHome = () => join(root, "evilhome");
  const marker = (name: string) => join(root, `ran-${name}`);

  beforeAll(async () => {
    const data = join(root, "data");
    await mkdir(data, { recursive: true });
    // A command channel the user wrote in alerts.yaml: it stays theirs to run.
    await writeFile(
      join(data, "alerts.yaml"),
      `channels:\n  - name: mine\n    type: command\n    command: /usr/bin/touch\n    args: ["${marker("mine")}"]\n` +
        // One with an env secret and an argument the editor masks: `$3` is the marker.
        `  - name: keyed\n    type: command\n    command: /bin/sh\n    args: ["-c", 'touch "$3"', "sh", "--api-key", "abcdef123456789", "${marker("keyed")}"]\n    env: { TOKEN: "t-1234567" }\n`,
    );
    await mkdir(evilHome());
    await writeFile(
      join(evilHome(), ".claude.json"),
      `{"mcpServers": {"x": {"command": "/usr/bin/touch", "args": ["${marker("config")}"]}}}\n`,
    );
    engine = await createEngine({ dataDir: data, inventory: { home: join(root, "home") } });
    const common = { engine, host: "127.0.0.1", port: 0, token, staticRoot: root };
    strict = await startHttpServer(common);
    allowing = await startHttpServer({ ...common, allowCommands: true });
  });
  afterAll(async () => {
    await strict?.close();
    await allowing?.close();
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const post = async (server: { url: string }, method: string, body: unknown) => {
    const res = await fetch(`${server.url}api/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  const refusedForms: [string, unknown][] = [
    [
      "servers.add",
      { name: "evil", transport: "stdio", command: "/usr/bin/touch", args: [marker("server")] },
    ],
    ["alerts.channels.put", { yaml: channelYaml("/usr/bin/touch", [marker("channel")]) }],
    ["reports.schedules.put", { ...schedule("/etc/mcpscope-reports"), formats: ["json"] }],
    ["discovery.list", { home: "/tmp/another-home" }],
    ["instrument.entry", { client: "claude-code", server: "x", home: "/tmp/another-home" }],
    ["instrument.undo", { all: true, home: "/tmp/another-home" }],
    ["instrument.repair", { home: "/tmp/another-home" }],
  ];

  it.each(refusedForms)("refuses %s with 400 and one line naming the flag", async (method, input) => {
    const { status, body } = await post(strict, method, input);
    expect(status).toBe(400);
    expect(body.error?.kind).toBe("policy");
    expect(body.error?.message).toMatch(
      /^refused in browser mode: this request .+`mcpscope serve --allow-commands`/,
    );
    expect(body.error?.message).not.toMatch(/[\r\n]/);
  });

  it("names in its refusal what would change what runs, values and all", async () => {
    const env = { LD_PRELOAD: "/tmp/evil.so", API_TOKEN: "tok-Q1w2e3r4t5" };
    const input = { ...(refusedForms[0]![1] as object), env };
    const { body } = await post(strict, "servers.add", input);
    expect(body.error?.message).toContain(
      `with environment LD_PRELOAD=/tmp/evil.so, API_TOKEN=${SECRET_MASK};`,
    );
  });

  it("runs nothing and changes nothing it refused", async () => {
    const configBefore = await readFile(join(evilHome(), ".claude.json"), "utf8");
    await post(strict, "servers.add", refusedForms[0]![1]);
    await post(strict, "alerts.channels.put", refusedForms[1]![1]);
    const edit = await post(strict, "instrument.entry", {
      client: "claude-code",
      server: "x",
      home: evilHome(),
    });
    expect(edit.status).toBe(400);
    expect((await post(strict, "alerts.test", { channel: "script" })).status).not.toBe(200);
    const inventory = await post(strict, "servers.inventory", {});
    expect(inventory.body.result?.servers?.map((s) => s.name)).not.toContain("evil");
    const channels = await post(strict, "alerts.channels", {});
    expect(channels.body.result?.channels?.map((c) => c.name)).not.toContain("script");
    const schedules = await post(strict, "reports.schedules.list", {});
    expect(schedules.body.result?.schedules).toEqual([]);
    expect(await readFile(join(evilHome(), ".claude.json"), "utf8")).toBe(configBefore);
    for (const name of ["server", "channel", "config"]) expect(existsSync(marker(name))).toBe(false);
  });

  it("serves what the user configured: re-saving their command channel as it is, and testing it", async () => {
    const channels = await post(strict, "alerts.channels", {});
    const mine = channels.body.result?.channels?.find((c) => c.name === "mine");
    const saved = await post(strict, "alerts.channels.put", { yaml: mine?.yaml, replaces: "mine" });
    expect(saved.body.result).toMatchObject({ ok: true });
    const test = await post(strict, "alerts.test", { channel: "mine" });
    expect(test.body.result?.status).toBe("delivered");
    expect(existsSync(marker("mine"))).toBe(true);
    const storedChannels = async () =>
      parse(await readFile(join(root, "data", "alerts.yaml"), "utf8")).channels;
    const before = await storedChannels();
    const keyed = channels.body.result?.channels?.find((c) => c.name === "keyed")?.yaml ?? "";
    expect(keyed).toContain("TOKEN: ••••••");
    const again = await post(strict, "alerts.channels.put", { yaml: keyed, replaces: "keyed" });
    expect(again.body.result).toMatchObject({ ok: true });
    expect(await storedChannels()).toEqual(before);
    const slower = keyed.replace(/timeout: .*/, "timeout: 20s");
    expect((await post(strict, "alerts.channels.put", { yaml: slower })).body.result).toMatchObject({
      ok: true,
    });
    expect((await post(strict, "alerts.test", { channel: "keyed" })).body.result?.status).toBe("delivered");
    expect(existsSync(marker("keyed"))).toBe(true);
    const folder = join(homedir(), "mcpscope-policy-test-reports");
    // Disabled, so the scheduler never writes into the real home; the policy judges it the same.
    const put = await post(strict, "reports.schedules.put", {
      ...schedule(folder),
      formats: ["json"],
      enabled: false,
    });
    expect(put.body.result).toMatchObject({ ok: true });
    await post(strict, "reports.schedules.delete", { name: "daily" });
    const remote = await post(strict, "servers.add", {
      name: "far",
      transport: "http",
      url: "http://127.0.0.1:9/mcp",
    });
    expect(remote.body.result).toMatchObject({ ok: true });
  });

  it("serves every form when started with --allow-commands", async () => {
    const channel = await post(allowing, "alerts.channels.put", refusedForms[1]![1]);
    expect(channel.body.result).toMatchObject({ ok: true });
    const test = await post(allowing, "alerts.test", { channel: "script" });
    expect(test.body.result?.status).toBe("delivered");
    expect(existsSync(marker("channel"))).toBe(true);
    const added = await post(allowing, "servers.add", refusedForms[0]![1]);
    expect(added.body.result).toMatchObject({ ok: true });
    const listed = await post(allowing, "discovery.list", { home: evilHome() });
    expect(listed.body.result?.servers?.map((s) => s.name)).toContain("x");
  });

  /** The status line the events endpoint answers an upgrade with. */
  const upgrade = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${strict.url}${path}`, {
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
          ...headers,
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("upgrade", (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });

  it("answers the events socket as the docs say: 421 Host, 403 Origin, 401 token, 404 path", async () => {
    const events = `api/events?token=${token}`;
    expect(await upgrade(events)).toBe(101);
    expect(await upgrade(events, { Host: "evil.example:80" })).toBe(421);
    expect(await upgrade(events, { Origin: "http://evil.example" })).toBe(403);
    expect(await upgrade("api/events?token=wrong")).toBe(401);
    expect(await upgrade(`api/elsewhere?token=${token}`)).toBe(404);
  });
});
