/**
 * The commands mcpscope prints for pasting (`mcpscope instrument --repair --data-dir …`, undo hints, the
 * launcher in --repair's was and now lines, the flags that pick one entry) quote each word as the user's
 * shell reads it back: single quotes for a POSIX shell, double quotes for PowerShell on Windows.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { quoteArg, quoteWords } from "../../electron/monitor/discovery/shown-command.js";

describe("a word quoted for the user's shell", () => {
  it("on Windows, in PowerShell's double quotes, which cmd.exe reads a path with spaces from too", () => {
    const win = (arg: string) => quoteArg(arg, "win32");
    expect(win("C:\\Users\\me\\AppData\\Roaming\\mcpscope")).toBe(
      "C:\\Users\\me\\AppData\\Roaming\\mcpscope",
    );
    expect(win("C:\\Users\\Jane Doe\\AppData\\Roaming\\mcpscope")).toBe(
      '"C:\\Users\\Jane Doe\\AppData\\Roaming\\mcpscope"',
    );
    expect(win("it's")).toBe(`"it's"`);
    expect(win('say "hi"')).toBe('"say ""hi"""');
    expect(win("C:\\$work\\`tick")).toBe('"C:\\`$work\\``tick"');
    expect(win("a;b & c")).toBe('"a;b & c"');
    expect(win("")).toBe('""');
    // PowerShell ends a double-quoted string at a typographic double quote too, as a name may hold.
    expect(win("the “files” server")).toBe('"the `“files`” server"');
    expect(win("„x“")).toBe('"`„x`“"');
    // A launcher as --repair's was and now lines show it: a line starting with a quoted word is a string
    // to PowerShell, run by its call operator.
    expect(
      quoteWords(["C:\\Program Files\\nodejs\\node.exe", "C:\\mcpscope\\bin\\mcpscope.js"], "win32"),
    ).toBe('& "C:\\Program Files\\nodejs\\node.exe" C:\\mcpscope\\bin\\mcpscope.js');
    expect(quoteWords(["node.exe", "C:\\my files\\server.js"], "win32")).toBe(
      'node.exe "C:\\my files\\server.js"',
    );
  });

  it("elsewhere, in single quotes, which a POSIX shell reads back as written", () => {
    const words = ["/home/me/my data", "it's", 'say "hi"', "$HOME/`x`", "a;b & c", "", "/plain/path-1.2"];
    const quoted = words.map((word) => quoteArg(word, "linux"));
    expect(quoted.slice(0, 2)).toEqual(["'/home/me/my data'", "'it'\\''s'"]);
    expect(quoted.at(-1)).toBe("/plain/path-1.2");
    // zsh reads an unquoted `=ls` as the path of `ls`; inside a word, `=` is plain.
    expect(quoteArg("=ls", "darwin")).toBe("'=ls'");
    expect(quoteArg("--data-dir=/tmp/x", "darwin")).toBe("--data-dir=/tmp/x");
    const echoed = execFileSync("/bin/sh", ["-c", `printf '%s\\n' ${quoted.join(" ")}`], {
      encoding: "utf8",
    });
    expect(echoed.split("\n").slice(0, -1)).toEqual(words);
  });
});
