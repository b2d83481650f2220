import { describe, expect, it } from "vitest";
import { ConfigurationError, ValidationError } from "../../../lib/core/errors.ts";
import type { TargetOf } from "../../../lib/core/target.ts";
import { HuaweiCredentials } from "../../../lib/providers/huawei/credentials.ts";
import { dcsModule } from "../../../lib/providers/huawei/dcs.ts";
import { taurusDbModule } from "../../../lib/providers/huawei/taurusdb.ts";
import { readSecret, StaticSecretSource } from "../../../lib/providers/secrets.ts";

const PROJECT = "0123456789abcdef0123456789abcdef";
const taurus = (region: string, baseUrl?: string) =>
  ({
    provider: "huawei-taurusdb",
    resource: { region, projectId: PROJECT, instanceId: "i", baseUrl },
  }) as TargetOf<"huawei-taurusdb">;
const dcs = (region: string, baseUrl?: string) =>
  ({
    provider: "huawei-dcs",
    resource: { region, projectId: PROJECT, instanceId: "i", apiVersion: "v2", baseUrl },
  }) as TargetOf<"huawei-dcs">;

describe("Huawei regional endpoints", () => {
  it("uses gaussdb.{region} for TaurusDB, except gaussdbformysql.{region} in three regions", () => {
    expect(taurusDbModule.baseUrl(taurus("cn-north-4"))).toBe(
      "https://gaussdb.cn-north-4.myhuaweicloud.com",
    );
    expect(taurusDbModule.baseUrl(taurus("ap-southeast-3"))).toBe(
      "https://gaussdb.ap-southeast-3.myhuaweicloud.com",
    );
    for (const region of ["ap-southeast-1", "ap-southeast-2", "tr-west-1"]) {
      expect(taurusDbModule.baseUrl(taurus(region))).toBe(
        `https://gaussdbformysql.${region}.myhuaweicloud.com`,
      );
    }
    expect(dcsModule.baseUrl(dcs("eu-west-101"))).toBe("https://dcs.eu-west-101.myhuaweicloud.com");
  });

  it("refuses an unknown region without an explicit baseUrl, naming the field to set", () => {
    const error = (() => {
      try {
        taurusDbModule.baseUrl(taurus("xx-nowhere-9"));
      } catch (e) {
        return e;
      }
    })() as ValidationError;

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/no known endpoint for region xx-nowhere-9/);
    expect(error.issues[0]).toMatchObject({ path: "resource.baseUrl" });
    expect(() => dcsModule.baseUrl(dcs("xx-nowhere-9"))).toThrow(ValidationError);
    expect(
      taurusDbModule.baseUrl(
        taurus("xx-nowhere-9", "https://gaussdb.xx-nowhere-9.myhuaweicloud.com"),
      ),
    ).toBe("https://gaussdb.xx-nowhere-9.myhuaweicloud.com");
  });

  it("allows only the service's hosts for the target's own region", () => {
    const t = taurus("ap-southeast-1");
    const d = dcs("ap-southeast-1");

    expect(taurusDbModule.allowedHost("gaussdbformysql.ap-southeast-1.myhuaweicloud.com", t)).toBe(
      true,
    );
    expect(taurusDbModule.allowedHost("gaussdb.ap-southeast-1.myhuaweicloud.com", t)).toBe(true);
    expect(taurusDbModule.allowedHost("gaussdb.cn-north-4.myhuaweicloud.com", t)).toBe(false);
    expect(taurusDbModule.allowedHost("dcs.ap-southeast-1.myhuaweicloud.com", t)).toBe(false);
    expect(taurusDbModule.allowedHost("gaussdb.ap-southeast-1.myhuaweicloud.com.evil.io", t)).toBe(
      false,
    );
    expect(dcsModule.allowedHost("dcs.ap-southeast-1.myhuaweicloud.com", d)).toBe(true);
    expect(dcsModule.allowedHost("iam.ap-southeast-1.myhuaweicloud.com", d)).toBe(false);
  });
});

describe("Huawei credentials", () => {
  it("accepts AK/SK (with an optional security token) or IAM password credentials", () => {
    expect(HuaweiCredentials.parse({ ak: "A", sk: "S" })).toEqual({ ak: "A", sk: "S" });
    expect(
      HuaweiCredentials.parse({ ak: "A", sk: "S", securityToken: "T" }).authMode,
    ).toBeUndefined();
    expect(
      HuaweiCredentials.parse({
        authMode: "token",
        domainName: "acme",
        userName: "ops",
        password: "p",
      }),
    ).toMatchObject({ authMode: "token" });
  });

  it("names the missing field of the intended mode and never a value", async () => {
    const secrets = new StaticSecretSource({
      halfKey: { ak: "AK-VISIBLE-123" },
      halfToken: { authMode: "token", domainName: "acme", password: "hunter2-secret" },
    });

    const half = await readSecret(secrets, "halfKey", HuaweiCredentials).catch((e: unknown) => e);
    const token = await readSecret(secrets, "halfToken", HuaweiCredentials).catch(
      (e: unknown) => e,
    );

    expect(half).toBeInstanceOf(ConfigurationError);
    expect((half as Error).message).toBe("secret halfKey is missing or has invalid fields: sk");
    expect((token as Error).message).toBe(
      "secret halfToken is missing or has invalid fields: userName",
    );
    expect(`${(half as Error).message}${(token as Error).message}`).not.toMatch(
      /AK-VISIBLE|hunter2/,
    );
  });
});
