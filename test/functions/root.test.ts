import { describe, expect, it } from "vitest";
import { declares, FUNCTIONS, type FunctionName } from "../../functions/manifest.ts";
import { buildContext } from "../../functions/root.ts";
import { storedTarget } from "../support/targets.ts";

const target = storedTarget({ id: "orders", resource: { clusterId: "in01-0123456789abcdef" } });

/** A function's context with only the variables its stack would give it. */
const contextWith = (name: Parameters<typeof buildContext>[0], env: Record<string, string>) =>
  buildContext(name, { env: () => env });

describe("the composition root", () => {
  it("builds a context without sending anything or needing what the function does not use", () => {
    const c = contextWith("notify-slack", {
      WARDEN_TABLE: "t",
      WARDEN_WEBHOOK_SECRET_PREFIX: "w/",
    });
    expect(c.name).toBe("notify-slack");
    expect(c.store.policies).toBeDefined();
  });

  it("refuses, naming the capability, what a function does not declare", async () => {
    const c = contextWith("notify-slack", {
      WARDEN_TABLE: "t",
      WARDEN_WEBHOOK_SECRET_PREFIX: "w/",
    });
    await expect(c.providers(target)).rejects.toThrow(
      "function notify-slack cannot read vendor credentials (Secrets Manager, provider prefix): it does not declare secrets:providers in functions/manifest.ts",
    );
    await expect(c.workflows.start("create-backup", "x", {})).rejects.toThrow(
      "function notify-slack cannot start the create-backup workflow: it does not declare start:create-backup",
    );
    await expect(c.targetValidator.validate(target)).rejects.toThrow(
      "it does not declare invoke:validate-target",
    );
  });

  it("says which variable is missing when a declared capability lacks it", async () => {
    const c = contextWith("api", { WARDEN_TABLE: "t" });
    await expect(c.workflows.start("delete-backup", "x", {})).rejects.toThrow(
      "function api declares start:delete-backup but WARDEN_DELETE_BACKUP_ARN is not set",
    );
  });

  it("gives the internet-facing API no way to read vendor credentials", async () => {
    // Its stack sets no provider prefix and its role allows no read (test/infra checks both).
    const c = contextWith("api", { WARDEN_TABLE: "t" });
    await expect(c.providers(target)).rejects.toThrow("it does not declare secrets:providers");
  });

  it("lets every function that calls vendors update the table: their calls count in the fleet's budget", () => {
    const callers = Object.keys(FUNCTIONS).filter((name) =>
      declares(name as FunctionName, "secrets:providers"),
    );
    expect(callers).toContain("validate-target");
    expect(callers.filter((name) => !declares(name as FunctionName, "table:update"))).toEqual([]);
  });
});
