import { describe, expect, it } from "vitest";
import { maskArgs } from "../../electron/monitor/discovery/mask-config.js";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";

/** A tool call's arguments as the wrapper stores them. */
function storedCall(args: unknown): string {
  return (
    capturePayload({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "run", arguments: args },
    }) ?? ""
  );
}

describe("passwords on a MySQL or MariaDB command line", () => {
  const secret = "S3cretPwQ1w2e3";

  it("masks a password glued to -p on stderr, in a shell line, quoted, and in JSON text", () => {
    for (const line of [
      `mysql -uroot -p${secret} -h db.local shop`,
      `+ mysqldump -u root -p'${secret}' shop > shop.sql`,
      `/usr/bin/mariadb-dump --single-transaction -p"${secret}" shop`,
      `sh -c "mysqladmin -u root -p${secret} status"`,
      `mysql --user=root --password=${secret} shop`,
      JSON.stringify(JSON.stringify({ argv: ["mysql", "-uroot", `-p${secret}`] })),
    ]) {
      const out = maskString(line);
      expect(out, line).not.toContain(secret);
      expect(out, line).toContain("[masked:");
    }
    expect(maskString(`mysqldump -u root -p'${secret}' shop`)).toBe(
      "mysqldump -u root -p'[masked:named-secret]' shop",
    );
  });

  it("masks it in a tool's arguments, as one command string or as an argument list", () => {
    for (const args of [
      { command: `mysql -h db -uroot -p${secret} -e 'select 1'` },
      { argv: ["/usr/local/bin/mysql", "-h", "db", "-uroot", `-p${secret}`, "shop"] },
    ]) {
      const out = storedCall(args);
      expect(out).not.toContain(secret);
      expect(out).toContain("-uroot");
    }
    expect(maskValue(["mysql", "-uroot", `-p${secret}`, "shop"])).toEqual([
      "mysql",
      "-uroot",
      "-p[masked:named-secret]",
      "shop",
    ]);
  });

  it("masks it in a configured server's arguments, shown or stored", () => {
    expect(maskArgs(["-uroot", `-p${secret}`, "shop"], "mysql")).toEqual([
      "-uroot",
      "-p[masked:named-secret]",
      "shop",
    ]);
    expect(maskArgs(["run", "--", "mysqldump", `-p${secret}`])).not.toContain(`-p${secret}`);
  });

  it("keeps what is no password: -p that prompts, -P the port, references, other programs' -p", () => {
    for (const line of [
      "mysql -u root -p shop",
      "mysql -u root -p -P 3306 shop",
      "mysql -u root -p$MYSQL_PWD shop",
      "mkdir -pv /tmp/x && ls",
      "echo -pnot-mysql; mysql -p shop",
      "mysql-connector-python -pversion",
    ])
      expect(maskString(line), line).toBe(line);
    expect(maskValue(["mkdir", "-pv", "/tmp/mysql"])).toEqual(["mkdir", "-pv", "/tmp/mysql"]);
  });
});

describe("a .pgpass file a filesystem server reads", () => {
  const pgpass = [
    "# hostname:port:database:username:password",
    "localhost:5432:shop:app:PgPassQ1w2e3r4",
    "*:*:*:postgres:PgStarW9x8c7",
    "db.example.com:5433:*:ro:Pg\\:Esc\\\\Z5x6",
    "10.0.0.5:5432:db:u:Pg With Spaces 42",
    "",
  ].join("\n");
  const secrets = ["PgPassQ1w2e3r4", "PgStarW9x8c7", "Pg\\:Esc", "Pg With Spaces"];

  it("masks each line's password, as a tool result, as JSON text and on stderr, keeping the rest", () => {
    for (const out of [
      storedCall({ text: pgpass }),
      capturePayload({
        jsonrpc: "2.0",
        id: 2,
        result: { content: [{ type: "text", text: JSON.stringify({ path: "~/.pgpass", content: pgpass }) }] },
      }) ?? "",
      maskString(pgpass),
    ]) {
      for (const secret of secrets) expect(out).not.toContain(secret);
      for (const kept of ["localhost:5432:shop:app:", "*:*:*:postgres:", "db.example.com:5433:*:ro:"])
        expect(out).toContain(kept);
    }
    // A small result holding nothing but one line: no secret word, no keyword, only the shape.
    expect(storedCall({ text: "localhost:5432:shop:app:Zq8Xw7Vu6Ts5\n" })).not.toContain("Zq8Xw7Vu6Ts5");
  });

  it("keeps what has the colons but not the shape: MAC addresses, times, passwd lines, compiler output", () => {
    for (const line of [
      "00:11:22:33:44:55",
      "aa:12:cc:dd:ee:ff",
      "12:34:56:78:90",
      "root:x:0:0:root:/root:/bin/bash",
      "main.go:42:10: undefined: x",
      "2024:12:07:10:11",
    ])
      expect(maskString(line), line).toBe(line);
  });
});
