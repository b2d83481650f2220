import { describe, expect, it } from "vitest";
import { useCliStack, warden } from "./cli-harness.ts";

describe("warden status", () => {
  const { stack, env } = useCliStack();

  it("lists every demo target, unprotected while no policy covers it", async () => {
    const run = await warden(["status"], { env });

    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split("\n");
    expect(header).toMatch(
      /^TARGET\s+VENDOR\s+FRESHNESS\s+OBJECTIVE\s+NEWEST GOOD\s+VERIFIED\s+POLICIES\s+STORED$/,
    );
    for (const id of ["demo-zilliz", "demo-pinecone", "demo-huawei-taurusdb", "demo-huawei-dcs"])
      expect(rows.find((r) => r.startsWith(`${id} `))).toMatch(
        /\sunprotected\s+-\s+none\s+-\s+none\s+0 B$/,
      );
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("4 targets: 4 unprotected");
  });

  it("puts a breached target first, and exits 7 with --check", async () => {
    // An objective nothing can meet: no policy covers the target.
    const target = (await stack.request("GET", "/v1/targets/demo-pinecone")).json;
    const { id, createdAt, updatedAt, version, ...spec } = target;
    const put = await stack.request("PUT", "/v1/targets/demo-pinecone", {
      body: JSON.stringify({ ...spec, rpo: "26h" }),
      headers: { "if-match": `"${version}"` },
    });
    expect(put.status, put.text).toBe(200);

    const run = await warden(["status", "--check"], { env });
    expect(run.code).toBe(7);
    const rows = run.stdout.trimEnd().split("\n");
    expect(rows[1]).toMatch(/^demo-pinecone\s+pinecone\s+breached\s+26h \(target\)\s+none\s/);
    expect(rows.at(-1)).toBe("4 targets: 1 breached, 3 unprotected");
    expect((await warden(["status"], { env })).code).toBe(0);

    const json = await warden(["status", "--json"], { env });
    const items = JSON.parse(json.stdout) as Array<{ targetId: string; status: string }>;
    expect(items.find((i) => i.targetId === "demo-pinecone")).toMatchObject({
      status: "breached",
      objective: "26h",
      objectiveSeconds: 93_600,
    });
  });

  it("refuses arguments it does not take", async () => {
    const run = await warden(["status", "demo-zilliz"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unexpected argument "demo-zilliz"');
  });
});
