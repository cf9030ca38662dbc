/** Multi-line stderr records (stack traces) become one record; everything else stays one line each. */
import { describe, expect, it } from "vitest";
import { type AssembledRecord, StderrAssembler } from "../../electron/monitor/logs/stderr-assembler.js";
import { parseStderrRecord } from "../../electron/monitor/logs/stderr-line.js";

function assemble(text: string, options = {}): AssembledRecord[] {
  const out: AssembledRecord[] = [];
  const assembler = new StderrAssembler((r) => out.push(r), options);
  text.split("\n").forEach((line, i) => {
    assembler.push(line, 1000 + i);
  });
  assembler.end();
  return out;
}

const PYTHON_LOGGING_EXCEPTION = `INFO:root:starting
ERROR:root:request failed
Traceback (most recent call last):
  File "/srv/app.py", line 12, in handle
    result = compute(x)
             ^^^^^^^^^^
  File "/srv/app.py", line 5, in compute
    return 1 / x
ZeroDivisionError: division by zero
INFO:root:next request`;

const PYTHON_CHAINED = `Traceback (most recent call last):
  File "a.py", line 2, in <module>
    int("x")
ValueError: invalid literal for int() with base 10: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "a.py", line 4, in <module>
    raise RuntimeError("wrapped")
RuntimeError: wrapped
WARNING:root:after`;

const JS_ERROR = `listening
Error: connect ECONNREFUSED 127.0.0.1:5432
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1637:16)
    at Pool.connect (/app/node_modules/pg/lib/pool.js:45:11) {
  errno: -111,
  code: 'ECONNREFUSED',
  [cause]: Error: inner
      at inner (/app/x.js:1:1)
}
next line`;

const JAVA = `Exception in thread "main" java.lang.IllegalStateException: bad state
\tat com.acme.App.run(App.java:42)
\tat com.acme.App.main(App.java:10)
Caused by: java.io.IOException: disk
\tat com.acme.Disk.read(Disk.java:7)
\t... 2 more
INFO done`;

const GO_PANIC = `panic: runtime error: invalid memory address or nil pointer dereference [recovered]
\tpanic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]

goroutine 1 [running]:
main.(*Server).handle(0x0, {0xc000012345, 0x5})
\t/app/main.go:42 +0x1c
main.main()
\t/app/main.go:17 +0x25

goroutine 18 [chan receive]:
net/http.(*conn).serve(0xc0001a2000)
\t/usr/local/go/src/net/http/server.go:2009 +0x5f4
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3285 +0x4b4`;

const GO_FATAL = `fatal error: all goroutines are asleep - deadlock!

goroutine 1 [chan receive]:
main.main()
\t/app/main.go:9 +0x2d`;

const GO_DUMP = `goroutine 7 [select]:
main.worker(...)
\t/app/worker.go:30
...additional frames elided...`;

const NODE_UNCAUGHT = `/app/server.js:10
    throw new Error("boom");
    ^

Error: boom
    at Object.<anonymous> (/app/server.js:10:11)
    at node:internal/main/run_main_module:28:49

Node.js v24.21.0
restarted`;

describe("StderrAssembler", () => {
  it("keeps a Python traceback after logging.exception's line as one error record", () => {
    const records = assemble(PYTHON_LOGGING_EXCEPTION);
    expect(records.map((r) => r.text.split("\n")[0])).toEqual([
      "INFO:root:starting",
      "ERROR:root:request failed",
      "INFO:root:next request",
    ]);
    const error = records[1]!;
    expect(error.text.split("\n")).toHaveLength(8);
    expect(error.text.endsWith("ZeroDivisionError: division by zero")).toBe(true);
    expect(error.at).toBe(1001);
    expect(parseStderrRecord(error.text, error.levelHint).level).toBe("error");
  });

  it("keeps a chained Python traceback (with its blank lines) as one record", () => {
    const records = assemble(PYTHON_CHAINED);
    expect(records).toHaveLength(2);
    expect(records[0]!.text).toBe(PYTHON_CHAINED.split("\nWARNING")[0]);
    expect(parseStderrRecord(records[0]!.text).level).toBe("error");
    expect(records[1]!.text).toBe("WARNING:root:after");
  });

  it("does not let an info line swallow an unrelated traceback", () => {
    const records = assemble(
      "INFO:root:ready\nTraceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'k'",
    );
    expect(records.map((r) => parseStderrRecord(r.text).level)).toEqual(["info", "error"]);
  });

  it("keeps a JS error with its stack, properties and cause as one record", () => {
    const records = assemble(JS_ERROR);
    expect(records.map((r) => r.text.split("\n")[0])).toEqual([
      "listening",
      "Error: connect ECONNREFUSED 127.0.0.1:5432",
      "next line",
    ]);
    expect(records[1]!.text.split("\n")).toHaveLength(8);
    expect(parseStderrRecord(records[1]!.text).level).toBe("error");
  });

  it("keeps a Java stack with Caused by and '... N more' as one record", () => {
    const records = assemble(JAVA);
    expect(records).toHaveLength(2);
    expect(records[0]!.text.split("\n")).toHaveLength(6);
    expect(parseStderrRecord(records[0]!.text).level).toBe("error");
  });

  it("keeps Node's uncaught-exception report as one error record", () => {
    const records = assemble(NODE_UNCAUGHT);
    expect(records.map((r) => r.text.split("\n")[0])).toEqual(["/app/server.js:10", "restarted"]);
    expect(records[0]!.text).toContain("Node.js v24.21.0");
    expect(records[0]!.levelHint).toBe("error");
  });

  it("keeps a Go panic, a runtime fatal error and a goroutine dump each as one record", () => {
    const records = assemble(`${GO_PANIC}\nexit status 2\n${GO_FATAL}\nrestarting\n${GO_DUMP}`);
    expect(records.map((r) => r.text)).toEqual([GO_PANIC, "exit status 2", GO_FATAL, "restarting", GO_DUMP]);
    expect(records.map((r) => parseStderrRecord(r.text, r.levelHint).level)).toEqual([
      "critical",
      "info",
      "critical",
      "info",
      "error",
    ]);
  });

  it("leaves ordinary lines alone", () => {
    const lines = ["a", "b", '{"level":"info","msg":"c"}', "WARNING: d"];
    expect(assemble(lines.join("\n")).map((r) => r.text)).toEqual(lines);
  });

  it("is bounded in lines and characters", () => {
    const stack = [
      "Error: deep",
      ...Array.from({ length: 30 }, (_, i) => `    at f${i} (/a.js:${i}:1)`),
    ].join("\n");
    const byLines = assemble(stack, { maxLines: 10 });
    expect(byLines.map((r) => r.text.split("\n").length)).toEqual([10, 10, 10, 1]);
    const byChars = assemble(stack, { maxChars: 100 });
    expect(byChars.every((r) => r.text.length <= 100)).toBe(true);
    expect(byChars.map((r) => r.text).join("\n")).toBe(stack);
  });

  it("emits an open record once nothing arrived for flushMs", async () => {
    const out: AssembledRecord[] = [];
    const assembler = new StderrAssembler((r) => out.push(r), { flushMs: 30 });
    assembler.push("Error: x", 1);
    assembler.push("    at y (/a.js:1:1)", 1);
    expect(out).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(out.map((r) => r.text)).toEqual(["Error: x\n    at y (/a.js:1:1)"]);
    assembler.push("    at late (/a.js:2:2)", 2); // after the flush: a record of its own
    assembler.end();
    expect(out).toHaveLength(2);
  });
});
