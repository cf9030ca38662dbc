// bench/mask/diff.mjs: whether this tree's masker writes exactly what the masker at BEFORE writes. A faster
// masker must not mask differently; this runs both over one large corpus and exits 1 on any difference.
//
// The corpus: every string literal in the masking tests and the secret corpus (alone, under secret names,
// embedded in prose, code and JSON text), the bench's payloads, generated JSON, stderr lines and code
// with secrets planted in every shape the tests cover (each secret name in each syntax, each kind of
// value), and seeded random text made of the pieces the rules look for. Each input goes through every
// entry point: maskString, captureText and capturePayload at several limits, maskValue, maskToolSchema,
// mayHoldSecret, LineMasker; the kinds found are compared too.
//
//   node bench/mask/diff.mjs                    # against BEFORE (default 1c24b81, before the speed-ups)
//   BEFORE=<commit> RANDOM_TEXTS=20000 node bench/mask/diff.mjs
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { bundleEngine, mulberry32, ROOT } from "../lib.mjs";
import { code, PAYLOADS, prose, toolResult } from "./payloads.mjs";

const BEFORE = process.env.BEFORE ?? "1c24b81";
const RANDOM_TEXTS = Number(process.env.RANDOM_TEXTS ?? 3000);

const EXPORTS = (root) =>
  [
    `export { maskString, maskValue, maskToolSchema, mayHoldSecret, LineMasker, CUT_MARK, secretKeyStrength } from ${JSON.stringify(join(root, "electron/monitor/pipeline/mask.ts"))};`,
    `export { capturePayload, captureText } from ${JSON.stringify(join(root, "electron/monitor/pipeline/capture.ts"))};`,
  ].join("\n");

/** Every string a test file spells: literals, and the fixed parts of templates. */
function testStrings() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(ROOT, "test"));
  const out = new Set();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // The masking tests: those that call the masker or capture, feed the secret corpus, or check privacy.
    if (!/pipeline\/(?:mask|capture)|secret-corpus|privacy|test\/security\//.test(text + file)) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    const visit = (node) => {
      if (
        ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)
      )
        out.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...out].filter((s) => s.length > 0);
}

const rand = mulberry32(0x5eed);
const pick = (list) => list[Math.floor(rand() * list.length)];
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const chars = (alphabet, n) => Array.from({ length: n }, () => pick(alphabet)).join("");

const NAMES = [
  ...["password", "passwd", "pwd", "passphrase", "secret", "client_secret", "clientSecret", "token"],
  ...["access_token", "tokens", "api_key", "apiKey", "API-KEY", "x-api-key", "key", "keys", "OPENAI_KEY"],
  ...["sortKey", "publicKey", "primary_key", "DB_PASS", "dbPass", "bypass", "pass", "auth", "session"],
  ...["sig", "cookie", "Cookie", "Set-Cookie", "Authorization", "credentials", "credential", "private_key"],
  ...["PRIVATE_KEY_PEM", "private_key_path", "password_file", "progressToken", "nextPageToken"],
  ...["max_tokens", "total_tokens", "AccountKey", "aws_secret_access_key", "secret_key", "SecretAccessKey"],
  ...["encryption-key", "-p", "name", "value", "user", "id", "description", "keyword", "monkey", "keyboard"],
  ...["passage", "tokenizer", "secrets", "passwords", "api_keys", "sessions", "x_auth", "key_id", "hotkey"],
  ...["okta_key", "github_token", "slack-token", "stripe_key", "SENTRY_DSN", "DATABASE_URL", "machine"],
  ...["jira_api_token", "CONFLUENCE_TOKEN", "Atlassian-Key", "jIRA_token"],
];
const AWS_SECRET = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`;
const VALUES = () => [
  chars(ALNUM, 24),
  chars(ALNUM, 16),
  `${chars(ALNUM, 8)}-${chars(ALNUM, 8)}-${chars(ALNUM, 8)}`,
  AWS_SECRET,
  `AKIA${"Q3ZX7W2M".repeat(2)}`,
  `ghp_${chars(ALNUM, 36)}`,
  `sk-${chars(ALNUM, 32)}`,
  `eyJ${chars(ALNUM, 12)}.${chars(ALNUM, 20)}.${chars(ALNUM, 16)}`,
  `${chars("abcdefghijklmnopqrstuvwxyz0123456789", 20)}${chars("0123456789abcdef", 4)}`,
  `ATATT3${chars(`${ALNUM}_-=`, 186)}`,
  ...["hunter2", "none", "default", "true", "12345678", "4821"],
  ...["$DB_PASSWORD", "$\u007bTOKEN}", "[masked:x]"],
  ...["/etc/app/secret.txt", "https://example.com/x", "https://u:p4ss@host/x", "2024-01-01T00:00:00Z"],
  ...["123e4567-e89b-12d3-a456-426614174000", "prod-db-password-v3", "ArrowUp", "cache.get(req.id)"],
  ...[`Bearer ${chars(ALNUM, 20)}`, 'Bearer realm="mcp"', "", "a b c", "ÿé€ key…", `'${chars(ALNUM, 18)}'`],
];
const SYNTAXES = [
  (k, v) => `"${k}": "${v}"`,
  (k, v) => `"${k}":${v}`,
  (k, v) => JSON.stringify({ [k]: v }),
  (k, v) => JSON.stringify(JSON.stringify({ [k]: v, other: 1 })),
  (k, v) => `${k}=${v}`,
  (k, v) => `export ${k}=${v}`,
  (k, v) => `${k}: ${v}`,
  (k, v) => `--${k}=${v}`,
  (k, v) => `--${k} ${v}`,
  (k, v) => `the ${k} ${v} was set.`,
  (k, v) => `GET /x?${k}=${v}&page=2`,
  (k, v) => `Server=db;${k}=${v};Timeout=3`,
  (k, v) => `<${k}>${v}</${k}>`,
  (k, v) => `{"name": "${k}", "value": "${v}"}`,
  (k, v) => `${k}: Bearer ${v}`,
  (k, v) => `$${k} => '${v}',`,
  (k, v) => `${k} := "${v}"`,
  (k, v) => `"${k}": ["${v}", "${v}x"]`,
  (k, v) => `"${k}": {"user": "me", "password": "${v}", "type": "string"}`,
  (k, v) => `  ${k}:\n    - ${v}\n`,
  (k, v) => `machine api.example.com login me ${k} ${v}`,
  (k, v) => `const ${k} = "${v}";`,
];
const CONTEXTS = [
  (t) => t,
  (t) => `${prose(60)} ${t} ${prose(40)}`,
  (t) => `${code(300)}\n${t}\n${code(200)}`,
  (t) => `[2024-05-01T10:00:00Z] ERROR ${t}`,
  (t) => `${t}\n${t}`,
];

/** Structured values with a secret under a name, in every shape maskValue reads. */
const valuesFor = (k, v) => [
  { [k]: v },
  { [k]: [v, `${v}2`] },
  { [k]: { user: "me", password: v, nested: { [k]: v } } },
  { name: k, value: v },
  { Name: k, Value: v },
  { key: k, value: v, other: v },
  { [k]: { type: "string", default: v, description: `the ${k}` } },
  { [k]: Number.isFinite(Number(v)) && v !== "" ? Number(v) : v },
  { env: [{ name: k, value: v }], args: [`--${k}=${v}`] },
];

const toolsList = (k, v) => ({
  jsonrpc: "2.0",
  id: 1,
  result: {
    tools: [
      {
        name: "t",
        description: `uses ${k}`,
        inputSchema: {
          type: "object",
          properties: {
            [k]: { type: "string", default: v, enum: [v, "x"], examples: [v] },
            nested: { type: "object", properties: { [k]: { const: v } }, "x-api-key": v },
          },
        },
      },
    ],
  },
});

/** Random text made of the pieces the rules look for. */
const PIECES = [
  ...[
    "key",
    "pass",
    "token",
    "secret",
    "Key",
    "PASS",
    "api_",
    "_",
    "-",
    ".",
    "=",
    ":",
    " ",
    "  ",
    "\n",
    "\t",
  ],
  ...['"', "'", "\\", '\\"', "{", "}", "[", "]", ",", ";", "&", "?", "<", ">", "/", "://", "@", "Bearer "],
  ...["Basic ", "sk-", "eyJ", "AKIA", "ghp_", "PRIVATE KEY", "-----BEGIN ", "LS0tLS1CRUdJT", "machine "],
  ...["jira", "Jira", "JIRA", "jIRA", "confluence", "ATATT3", "atatt3"],
  ...[
    "password",
    "value",
    "name",
    "…",
    "é",
    "ꙮ",
    "cookie",
    "auth",
    "session",
    "sig",
    "$",
    "#",
    "!",
    "(",
    ")",
  ],
];
const randomText = () => {
  let out = "";
  const n = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) out += rand() < 0.5 ? chars(ALNUM, 1 + Math.floor(rand() * 24)) : pick(PIECES);
  return out;
};

function corpus(CORPUS) {
  const texts = [];
  const values = [];
  for (const s of [...testStrings(), ...CORPUS.map((c) => c.text)]) {
    texts.push(s, `${prose(40)} ${s} ${pick(["", `${pick(NAMES)}=`, JSON.stringify(s)])}`);
    values.push(
      pick([{ text: s }, { password: s }, { OPENAI_KEY: s }, { name: "DB_PASS", value: s }, toolResult(s)]),
    );
  }
  for (const k of NAMES)
    for (const v of VALUES()) {
      // A few syntaxes and shapes per pair: over all pairs, each is tried hundreds of times.
      for (let i = 0; i < 4; i++) texts.push(pick(CONTEXTS)(pick(SYNTAXES)(k, v)));
      values.push(pick(valuesFor(k, v)), pick(valuesFor(k, v)));
      if (rand() < 0.1) values.push(toolsList(k, v));
    }
  for (let i = 0; i < RANDOM_TEXTS; i++) texts.push(randomText());
  for (let i = 0; i < RANDOM_TEXTS / 10; i++)
    values.push({ [randomText()]: randomText(), list: [randomText()] });
  // Large: code and stderr with secrets planted all through, as a 64 KiB capture and past it.
  const planted = (size) => {
    let out = "";
    while (out.length < size)
      out += rand() < 0.1 ? `${pick(SYNTAXES)(pick(NAMES), pick(VALUES()))}\n` : code(400);
    return out;
  };
  for (const size of [5000, 70000, 140000]) {
    const text = planted(size);
    texts.push(text);
    values.push(toolResult(text), { content: text.split("\n") });
  }
  values.push(...Object.values(PAYLOADS));
  for (const v of Object.values(PAYLOADS)) if (typeof v.message === "string") texts.push(v.message);
  return { texts, values };
}

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-mask-diff-"));
try {
  await mkdir(join(work, "before-src"), { recursive: true });
  const archive = execFileSync("git", ["archive", BEFORE, "electron/monitor", "shared"], {
    cwd: ROOT,
    maxBuffer: 256 * 2 ** 20,
  });
  execFileSync("tar", ["-x", "-C", join(work, "before-src")], { input: archive });
  const before = await bundleEngine(join(work, "before"), EXPORTS(join(work, "before-src")));
  const after = await bundleEngine(join(work, "after"), EXPORTS(ROOT));

  const t0 = performance.now();
  const { CORPUS } = await bundleEngine(
    join(work, "corpus"),
    'export { CORPUS } from "./test/fixtures/secret-corpus.ts";',
  );
  const { texts, values } = corpus(CORPUS);
  console.log(`corpus: ${texts.length} texts, ${values.length} values`);
  let compared = 0;
  const differences = [];
  // The same call on both maskers; CUT_MARK is each one's own nonce.
  const same = (what, input, run) => {
    const outputs = [before, after].map((m) => {
      const found = new Set();
      let out;
      try {
        out = run(m, found);
      } catch (error) {
        out = `threw ${error}`;
      }
      const text = typeof out === "string" ? out : JSON.stringify(out);
      return `${text?.split(m.CUT_MARK).join("<cut>")} | ${[...found].sort().join(",")}`;
    });
    compared++;
    if (outputs[0] !== outputs[1]) differences.push({ what, input, before: outputs[0], after: outputs[1] });
  };
  for (const text of texts) {
    same("maskString", text, (m, found) => m.maskString(text, found));
    same("maskString keepTo", text, (m, found) => m.maskString(text, found, Math.floor(text.length / 2)));
    for (const limit of [65536, 4096, 200])
      same(`captureText ${limit}`, text, (m, f) => m.captureText(text, limit, f));
    same("LineMasker", text, (m, found) => {
      const lines = new m.LineMasker();
      return text.split("\n").map((line) => lines.mask(line, found));
    });
  }
  for (const value of values) {
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json);
    same("maskValue", json, (m, found) => m.maskValue(value, found));
    same("maskToolSchema", json, (m, found) => m.maskToolSchema(value, found));
    same("mayHoldSecret", json, (m) => m.mayHoldSecret(json));
    for (const limit of [65536, 4096, 300]) {
      same(`capturePayload ${limit}`, json, (m, found) => m.capturePayload(value, limit, found));
      same(`capturePayload ${limit} bytes`, json, (m, found) =>
        m.capturePayload(value, limit, found, { bytes }),
      );
    }
  }
  console.log(
    `${compared} results compared (${texts.length} texts, ${values.length} values) in ${((performance.now() - t0) / 1000).toFixed(0)} s, masker at ${BEFORE} against this tree: ${differences.length} differ`,
  );
  for (const d of differences.slice(0, 8)) {
    console.log(`\n${d.what}: ${JSON.stringify(d.input.slice(0, 300))}`);
    console.log(`  before: ${JSON.stringify(d.before.slice(0, 400))}`);
    console.log(`  after:  ${JSON.stringify(d.after.slice(0, 400))}`);
  }
  if (differences.length > 0) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
