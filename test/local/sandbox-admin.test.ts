import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";

/* Under `npm start` every simulator's admin routes take the local API's own token. */

describe("npm start's simulators", () => {
  const stack = useLocalStack();

  it("take WARDEN_TOKEN on /__sandbox/* and refuse anything else", async () => {
    const { runtime } = stack;
    const urls = [
      ...Object.values(runtime.sandbox).map((s) => String(s.url)),
      String(runtime.slackSink),
    ];
    expect(urls).toHaveLength(5);
    for (const url of urls) {
      const state = (headers: Record<string, string>) =>
        fetch(`${url}/__sandbox/state`, { headers });
      expect((await state({})).status, url).toBe(401);
      expect((await state({ authorization: "Bearer wrong-token-of-some-length" })).status).toBe(
        401,
      );
      expect((await state({ authorization: `Bearer ${runtime.token}` })).status, url).toBe(200);
      const fault = await fetch(`${url}/__sandbox/faults`, {
        method: "POST",
        headers: { authorization: `Bearer ${runtime.token}`, "content-type": "text/plain" },
        body: JSON.stringify({ kind: "status", status: 503 }),
      });
      expect(fault.status, url).toBe(415);
    }
  });
});
