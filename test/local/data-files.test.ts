import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../support/local-stack.ts";

/*
 * The local runtime's data folder holds the API token, the table and the simulators'
 * state: what it creates there is 0700 (folders) and 0600 (files), and what an earlier
 * start (or a hand) left looser is tightened when it starts.
 */

const parent = mkdtempSync(join(tmpdir(), "warden-modes-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every folder and file the runtime keeps (LevelDB's own files aside), with its mode. */
function modes(dataDir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(dataDir, path);
      if (entry.isDirectory()) {
        found[`${name}/`] = mode(path).toString(8);
        walk(path);
      } else if (!name.startsWith("dynamo/")) found[name] = mode(path).toString(8);
    }
  };
  walk(dataDir);
  return found;
}

describe("the local runtime's data folder", () => {
  it("is created 0700, and every folder and file in it is private", async () => {
    const dataDir = join(parent, "fresh", "data"); // neither exists yet
    const stack = await startLocalStack({ WARDEN_DATA_DIR: dataDir });
    try {
      expect(mode(dataDir).toString(8)).toBe("700");
      const found = modes(dataDir);
      expect(Object.keys(found)).toEqual(
        expect.arrayContaining(["token", "dynamo/", "sandbox/", "sandbox/zilliz.json"]),
      );
      for (const [name, m] of Object.entries(found)) {
        expect(m, name).toBe(name.endsWith("/") ? "700" : "600");
      }
    } finally {
      await stack.runtime.stop();
    }
  });

  it("tightens what an earlier start or a hand left readable by others", async () => {
    const dataDir = join(parent, "loose");
    for (const folder of ["", "dynamo", "sandbox"]) {
      mkdirSync(join(dataDir, folder), { recursive: true });
      chmodSync(join(dataDir, folder), 0o755);
    }
    writeFileSync(join(dataDir, "token"), "a-hand-made-token-0123456789", { mode: 0o644 });
    writeFileSync(join(dataDir, "dynamo", "LOG.old"), "", { mode: 0o644 });
    const stack = await startLocalStack({ WARDEN_DATA_DIR: dataDir });
    try {
      expect(stack.runtime.token).toBe("a-hand-made-token-0123456789");
      expect(mode(join(dataDir, "token")).toString(8)).toBe("600");
      expect(mode(join(dataDir, "dynamo")).toString(8)).toBe("700");
      expect(mode(join(dataDir, "dynamo", "LOG.old")).toString(8)).toBe("600");
      expect(mode(join(dataDir, "sandbox")).toString(8)).toBe("700");
      expect(mode(join(dataDir, "sandbox", "pinecone.json")).toString(8)).toBe("600");
    } finally {
      await stack.runtime.stop();
    }
  });
});
