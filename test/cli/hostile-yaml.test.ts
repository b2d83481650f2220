import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Run, warden } from "./cli-harness.ts";

/*
 * `warden apply -f` (and every command that reads a file) on a hostile file: whatever is
 * wrong, one line naming the file (and line:col where known), exit 2, quickly — never a
 * stack trace, never a hang, never a call to the API.
 */

const dir = mkdtempSync(join(tmpdir(), "warden-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TARGET = `targets:
  - id: orders
    name: Orders
    provider: zilliz
    secretRef: warden/zilliz
    resource: { clusterId: in01-5e1d0a9c3b7f226 }
`;

/** `warden apply -f <name> --yes` on `text`, with a fetch that fails the test if called. */
async function apply(name: string, text: string | Buffer): Promise<Run & { ms: number }> {
  writeFileSync(join(dir, name), text);
  const started = Date.now();
  const run = await warden(["apply", "-f", name, "--yes"], {
    cwd: dir,
    env: { WARDEN_TOKEN: "a-token-of-some-length" },
    fetch: async () => {
      throw new Error("no API call may be made for a broken file");
    },
  });
  return { ...run, ms: Date.now() - started };
}

/** One line on stderr, exit 2, nothing on stdout, no stack frames. */
function expectOneLine(run: Run & { ms: number }, line: RegExp) {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.split("\n")).toHaveLength(2); // one line and its newline
  expect(run.stderr).toMatch(line);
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at |Error:|ZodError/);
  expect(run.ms).toBeLessThan(5_000);
}

describe("warden apply -f on a hostile file", () => {
  it("a syntax error: file, line and column", async () => {
    const run = await apply("syntax.yaml", "targets:\n  - id: a\n    name: [unclosed\n");
    expectOneLine(run, /^warden: syntax\.yaml:\d+:\d+: not valid YAML: /);
  });

  it("a billion laughs: refused, not expanded", async () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const run = await apply("bomb.yaml", `${levels.join("\n")}\n`);
    expectOneLine(run, /^warden: bomb\.yaml: expands more than 100 aliases\n$/);
  });

  it("a huge file: refused by its size, unread", async () => {
    const run = await apply("huge.yaml", Buffer.alloc(2 * 1024 * 1024, "#"));
    expectOneLine(run, /^warden: huge\.yaml is larger than 1 MiB\n$/);
  });

  it("a map of 50 000 keys: answered in linear time", async () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`).join("\n");
    const run = await apply(
      "keys.yaml",
      `${TARGET}    tags:\n${keys.replaceAll("  k", "      k")}\n`,
    );
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(5_000);
    expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it("a duplicate key: named, with its line", async () => {
    const run = await apply("dup.yaml", `${TARGET}    name: Orders again\n`);
    expectOneLine(run, /^warden: dup\.yaml:7:5: duplicate key "name"\n$/);
  });

  it.each([
    [
      "!!js/function 'function () { return 1 }'",
      /unsupported tag: tag:yaml\.org,2002:js\/function/,
    ],
    [
      "!!python/object:os.system ls",
      /unsupported tag: tag:yaml\.org,2002:python\/object:os\.system/,
    ],
    ["!custom thing", /unsupported tag: !custom/],
    ["!!binary aGVsbG8=", /unsupported tag: tag:yaml\.org,2002:binary/],
  ])("a custom tag (%s): refused, not read as a string", async (value, message) => {
    const run = await apply("tag.yaml", TARGET.replace("name: Orders", `name: ${value}`));
    expectOneLine(run, /^warden: tag\.yaml:3:11: /);
    expect(run.stderr).toMatch(message);
  });

  it("YAML 1.1 on request: still no merge keys or 1.1 tags", async () => {
    const run = await apply("v11.yaml", `%YAML 1.1\n---\n${TARGET}    tags: !!set { a, b }\n`);
    expectOneLine(run, /^warden: v11\.yaml:9:11: unsupported tag: tag:yaml\.org,2002:set /);
  });

  it.each([
    ["- a\n- b\n", "a list"],
    ["42\n", "a number"],
    ['"just text"\n', "a string"],
  ])("a document that is not a mapping (%j)", async (text, what) => {
    const run = await apply("list.yaml", text);
    expectOneLine(
      run,
      new RegExp(`^warden: list\\.yaml:1:1: a warden file is a mapping .* not ${what}\\n$`),
    );
  });

  it("more than one document", async () => {
    const run = await apply("two.yaml", `${TARGET}---\npolicies: []\n`);
    expectOneLine(run, /^warden: two\.yaml:7:1: holds more than one YAML document/);
  });

  it.each(["__proto__", "constructor", "prototype"])("a %s key, anywhere", async (key) => {
    const top = await apply("proto.yaml", `${TARGET}${key}: { polluted: true }\n`);
    expectOneLine(top, new RegExp(`^warden: proto\\.yaml:7:1: key "${key}" is not allowed\\n$`));
    const nested = await apply("proto2.yaml", `${TARGET}    tags: { ${key}: { admin: "1" } }\n`);
    expectOneLine(nested, new RegExp(`^warden: proto2\\.yaml:7:13: key "${key}" is not allowed`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("deep nesting, flow or block: refused at once, at its place", async () => {
    const flow = await apply(
      "deep.yaml",
      `targets: ${"[".repeat(200_000)}${"]".repeat(200_000)}\n`,
    );
    expectOneLine(flow, /^warden: deep\.yaml:1:\d+: nested more than 64 levels deep\n$/);
    expect(flow.ms).toBeLessThan(1_000);
    const block = Array.from({ length: 100 }, (_, i) => `${" ".repeat(i * 2)}k${i}:`).join("\n");
    const indented = await apply("deep2.yaml", `${block} leaf\n`);
    expectOneLine(indented, /^warden: deep2\.yaml:\d+:\d+: nested more than 64 levels deep\n$/);
  });

  it("a complex key (a list as a key)", async () => {
    const run = await apply("key.yaml", "? [a, b]\n: value\n");
    expectOneLine(run, /^warden: key\.yaml:1:3: a key must be a plain value\n$/);
  });

  it("control characters in a key never reach the terminal raw", async () => {
    const run = await apply("ansi.yaml", `${TARGET}    "\\e[31mred": x\n    "\\e[31mred": y\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("\u001b");
    expect(run.stderr).toContain("\\u001b[31mred");
  });

  it("not a regular file, or no file", async () => {
    const folder = await warden(["apply", "-f", ".", "--yes"], { cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe("warden: . is not a regular file\n");
    const missing = await warden(["apply", "-f", "nope.yaml", "--yes"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("warden: cannot read nope.yaml (ENOENT)\n");
  });
});

describe("the same guard on every file the CLI reads", () => {
  it("warden targets add --file: a bomb is one line too", async () => {
    writeFileSync(
      join(dir, "t.yaml"),
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill("*a").join(",")}]\nc: [${Array(100).fill("*b").join(",")}]\n`,
    );
    const run = await warden(["targets", "add", "--file", "t.yaml"], {
      cwd: dir,
      env: { WARDEN_TOKEN: "a-token-of-some-length" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("warden: t.yaml: expands more than 100 aliases\n");
  });
});
