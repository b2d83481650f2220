import { describe, expect, it } from "vitest";
import { classifyHuaweiError, readHuaweiError } from "../../../lib/providers/huawei/errors.ts";

type Row = [status: number, code: string | undefined, expected: string, operation?: "delete"];

describe("Huawei error classification", () => {
  it.each<Row>([
    [401, "APIGW.0301", "AUTH"],
    [429, "APIGW.0308", "THROTTLED"],
    [400, "APIGW.0308", "THROTTLED"],
    [429, undefined, "THROTTLED"],
    ...["DBS.200019", "DBS.201014", "DBS.201015", "DBS.200047", "DBS.05000084", "DBS.212033"].map(
      (code): Row => [409, code, "CONFLICT"],
    ),
    [409, "DBS.201209", "CONFLICT"],
    [404, "DBS.200002", "NOT_FOUND"],
    [400, "DBS.280124", "INVALID"],
    [500, "DBS.108000", "TRANSIENT"],
    [503, undefined, "TRANSIENT"],
    [403, "DBS.280001", "AUTH"],
  ])("TaurusDB: HTTP %s %s is %s", (status, code, expected) => {
    expect(classifyHuaweiError("taurusdb", status, code)).toBe(expected);
  });

  it.each<Row>([
    ...[
      "DCS.4096",
      "DCS.4097",
      "DCS.4026",
      "DCS.4049",
      "DCS.4111",
      "DCS.4114",
      "DCS.4118",
      "DCS.4120",
      "DCS.4121",
      "DCS.4975",
      "CBC.99003651",
    ].map((code): Row => [400, code, "CONFLICT"]),
    ...["DCS.1001", "DCS.1002", "DCS.1003", "DCS.1004"].map((code): Row => [401, code, "AUTH"]),
    ...["DCS.2003", "DCS.2007", "DCS.3002"].map((code): Row => [403, code, "AUTH"]),
    [401, "APIGW.0301", "AUTH"],
    [429, "APIGW.0308", "THROTTLED"],
    [400, "DCS.4031", "NOT_FOUND", "delete"],
    [400, "DCS.4031", "INVALID"],
    [404, "DCS.3022", "NOT_FOUND"],
    [400, "DCS.4039", "QUOTA"],
    [400, "DCS.4095", "INVALID"],
    [500, "DCS.4101", "TRANSIENT"],
    [500, "DCS.5078", "TRANSIENT"],
    [400, "DCS.4110", "INVALID"],
    [400, "DCS.4119", "INVALID"],
    [502, undefined, "TRANSIENT"],
  ])("DCS: HTTP %s %s is %s (%s)", (status, code, expected, operation) => {
    expect(classifyHuaweiError("dcs", status, code, operation)).toBe(expected);
  });

  it("does not borrow one service's codes for the other", () => {
    expect(classifyHuaweiError("taurusdb", 400, "DCS.4096")).toBe("INVALID");
    expect(classifyHuaweiError("dcs", 400, "DBS.200019")).toBe("INVALID");
    expect(classifyHuaweiError("iam", 401, "IAM.0001")).toBe("AUTH");
  });

  it("reads the service, gateway and IAM envelopes", () => {
    expect(
      readHuaweiError({ error_code: "DCS.4031", error_msg: "gone", error_ext_msg: null }),
    ).toEqual({
      code: "DCS.4031",
      message: "gone",
    });
    expect(
      readHuaweiError({ error: { code: 401, message: "bad password", title: "Unauthorized" } }),
    ).toEqual({
      code: "401",
      message: "bad password",
    });
    expect(readHuaweiError("<html>bad gateway</html>")).toEqual({
      message: "<html>bad gateway</html>",
    });
    expect(readHuaweiError(undefined)).toEqual({});
  });
});
