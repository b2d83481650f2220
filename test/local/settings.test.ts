import { describe, expect, it } from "vitest";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { useLocalStack } from "../support/use-local-stack.ts";

/*
 * What an operator sets for the functions reaches them under `npm start` too, as a
 * stack's settings reach deployed functions (it used to be dropped by the local runtime).
 */

describe("npm start passes the operator's function settings on", () => {
  const stack = useLocalStack({ WARDEN_PROVIDER_TIMEOUT_MS: "150" });

  it("bounds a vendor call by WARDEN_PROVIDER_TIMEOUT_MS", async () => {
    const pinecone = stack.runtime.sandbox.pinecone as { url: string; indexes: string[] };
    // The vendor holds the next request for a second: past 150 ms, not past the default 30 s.
    const held = await sandboxAdmin(
      { url: pinecone.url, adminToken: stack.runtime.token },
      "POST",
      "/__sandbox/faults",
      { kind: "delay", delayMs: 1_000 },
    );
    expect(held.status).toBe(201);

    const registered = await stack.request("POST", "/v1/targets", {
      body: JSON.stringify({
        id: "slow",
        name: "slow",
        provider: "pinecone",
        secretRef: "sandbox/pinecone",
        // Registration describes the index at the vendor: the call that meets the delay.
        resource: { indexName: pinecone.indexes[0], baseUrl: pinecone.url },
      }),
    });

    // The vendor's answer came too late for 150 ms: a transient vendor failure, a 5xx
    // (the API words it without vendor text). With the default 30 s it would have waited.
    expect(registered.status).toBeGreaterThanOrEqual(500);
    expect(registered.json.code).toBe("PROVIDER_ERROR");
  });
});
