/** Every stderr format we claim to read: its level, message, logger and fields. */
import { describe, expect, it } from "vitest";
import {
  levelOfPlainLine,
  parseStderrLine,
  parseStderrRecord,
} from "../../electron/monitor/logs/stderr-line.js";

describe("JSON log lines", () => {
  it("pino: numeric levels, msg, time/pid/hostname kept as fields", () => {
    const line = JSON.stringify({
      level: 50,
      time: 1764079198120,
      pid: 4242,
      hostname: "box",
      name: "files",
      msg: "read failed",
      path: "/tmp/x",
    });
    expect(parseStderrLine(line)).toEqual({
      level: "error",
      message: "read failed",
      logger: "files",
      fields: { time: 1764079198120, pid: 4242, hostname: "box", path: "/tmp/x" },
    });
    const levels = [10, 20, 30, 40, 50, 60].map(
      (level) => parseStderrLine(JSON.stringify({ level, msg: "m" })).level,
    );
    expect(levels).toEqual(["debug", "debug", "info", "warning", "error", "critical"]);
  });

  it("winston: named level (also colorized), message, timestamp", () => {
    expect(
      parseStderrLine(
        '{"level":"warn","message":"disk almost full","timestamp":"2026-11-25T13:59:58.120Z","free":"1GB"}',
      ),
    ).toEqual({
      level: "warning",
      message: "disk almost full",
      logger: null,
      fields: { timestamp: "2026-11-25T13:59:58.120Z", free: "1GB" },
    });
    expect(parseStderrLine('{"level":"\\u001b[31merror\\u001b[39m","message":"boom"}').level).toBe("error");
  });

  it("bunyan: v, numeric level, name, msg", () => {
    const line =
      '{"name":"myapp","hostname":"box","pid":7,"level":40,"msg":"slow query","time":"2026-11-25T13:59:58.120Z","v":0}';
    expect(parseStderrLine(line)).toEqual({
      level: "warning",
      message: "slow query",
      logger: "myapp",
      fields: { hostname: "box", pid: 7, time: "2026-11-25T13:59:58.120Z", v: 0 },
    });
  });

  it("Python logging with a JSON formatter: levelname, name, message", () => {
    const line =
      '{"asctime": "2026-11-25 13:59:58,120", "levelname": "CRITICAL", "name": "server.db", "message": "pool exhausted", "exc_info": null}';
    expect(parseStderrLine(line)).toEqual({
      level: "critical",
      message: "pool exhausted",
      logger: "server.db",
      fields: { asctime: "2026-11-25 13:59:58,120", exc_info: null },
    });
  });

  it("structlog: event, level, logger, timestamp", () => {
    const line =
      '{"event": "user logged in", "level": "info", "logger": "auth", "timestamp": "2026-11-25T13:59:58.120Z", "user_id": 7}';
    expect(parseStderrLine(line)).toEqual({
      level: "info",
      message: "user logged in",
      logger: "auth",
      fields: { timestamp: "2026-11-25T13:59:58.120Z", user_id: 7 },
    });
  });

  it("zap, logrus and Google Cloud style keys; a JSON line without a level is info", () => {
    expect(parseStderrLine('{"level":"dpanic","ts":1.5,"msg":"x"}').level).toBe("critical");
    expect(parseStderrLine('{"severity":"WARNING","message":"x"}').level).toBe("warning");
    expect(parseStderrLine('{"msg":"no level"}')).toMatchObject({ level: "info", message: "no level" });
  });

  it("a line that only looks like JSON is plain", () => {
    expect(parseStderrLine("{not json} ERROR")).toEqual({
      level: "error",
      message: "{not json} ERROR",
      logger: null,
      fields: null,
    });
  });
});

describe("plain lines", () => {
  const cases: Array<[string, string]> = [
    ["ERROR: connection refused", "error"],
    ["2026-11-25 13:59:58 ERROR [db] connection refused", "error"],
    ["[error] cannot open /tmp/x", "error"],
    ["[warn] retrying", "warning"],
    ["[WARNING] retrying", "warning"],
    ["WARNING:root:disk almost full", "warning"],
    ["ERROR:root:cannot connect", "error"],
    ["INFO:root:ready", "info"],
    ["DEBUG:asyncio:Using selector", "debug"],
    ["CRITICAL:root:out of memory", "critical"],
    ["Traceback (most recent call last):", "error"],
    ["TypeError: Cannot read properties of undefined (reading 'x')", "error"],
    ["Error: ENOENT: no such file or directory", "error"],
    ["panic: runtime error: index out of range", "critical"],
    ["error: unknown option --foo", "error"],
    ["warn: deprecated config key", "warning"],
    ["time=2026-11-25T13:59:58Z level=warning msg=slow", "warning"],
    ["Server listening on stdio", "info"],
    ["the word error in lower case mid-line is not a level", "info"],
    ["[warn] request failed with ERROR 500", "warning"], // the earliest marker wins
    ["NOTICE: config reloaded", "notice"],
    ["FATAL: cannot bind", "critical"],
    // glog and klog (Go, Kubernetes): the severity is the header's first letter.
    ["I1207 10:11:12.123456   12345 server.go:42] listening on :8080", "info"],
    ["W1207 10:11:13.000001   12345 cache.go:7] cache cold", "warning"],
    ["E1207 10:11:14.500000   12345 db.go:99] connection refused", "error"],
    ["F1207 10:11:15.000000       1 main.go:1] cannot continue", "critical"],
    ["I1207 10:11:12.123456 1 k8s.io/client-go/reflector.go:325] WARNING-free message", "info"],
    ["E1207 10:11:14.500000 7 x.go:9] retry succeeded, INFO only", "error"],
    ["I1207 is not a glog header without its time", "info"],
    ["E1207 10:11:12 bad header", "info"],
  ];
  for (const [line, level] of cases)
    it(`${JSON.stringify(line)} → ${level}`, () => expect(levelOfPlainLine(line)).toBe(level));

  it("ANSI colour codes are removed from the message and do not hide the level", () => {
    expect(parseStderrLine("\u001b[31mERROR\u001b[0m boom")).toEqual({
      level: "error",
      message: "ERROR boom",
      logger: null,
      fields: null,
    });
  });
});

describe("multi-line records", () => {
  it("take level and fields from the first line and keep every line in the message", () => {
    const text =
      'ERROR:root:failed\nTraceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad';
    expect(parseStderrRecord(text)).toEqual({ level: "error", message: text, logger: null, fields: null });
    expect(parseStderrRecord("/app/x.js:3\nthrow e\n^", "error").level).toBe("error");
  });
});
