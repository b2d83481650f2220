import { ValidationError } from "../../core/errors.ts";

/**
 * Regional endpoints of the two Huawei services, from the vendor SDK's region tables
 * (huaweicloud-sdk-go-v3 `services/gaussdb/v3/region/region.go` and
 * `services/dcs/v2/region/region.go`, docs/providers.md §3.2 and §4.1).
 *
 * A region outside a table is not guessed: the target must name its endpoint in
 * `resource.baseUrl`, which is still checked against the service's host pattern.
 */

/** TaurusDB regions served as `gaussdb.{region}.myhuaweicloud.com`. */
export const TAURUSDB_GAUSSDB_REGIONS = [
  "cn-north-4",
  "cn-north-2",
  "cn-north-9",
  "cn-east-3",
  "cn-south-1",
  "cn-southwest-2",
  "ru-northwest-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "sa-brazil-1",
] as const;

/** TaurusDB regions served as `gaussdbformysql.{region}.myhuaweicloud.com` instead. */
export const TAURUSDB_GAUSSDBFORMYSQL_REGIONS = [
  "ap-southeast-1",
  "ap-southeast-2",
  "tr-west-1",
] as const;

/** DCS regions served as `dcs.{region}.myhuaweicloud.com`. */
export const DCS_REGIONS = [
  "af-south-1",
  "cn-north-1",
  "cn-north-2",
  "cn-north-4",
  "cn-north-9",
  "cn-east-2",
  "cn-east-3",
  "cn-south-1",
  "cn-south-2",
  "cn-southwest-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ru-northwest-2",
  "sa-brazil-1",
  "la-north-2",
  "la-south-2",
  "na-mexico-1",
  "ae-ad-1",
  "tr-west-1",
  "eu-west-101",
  "me-east-1",
  "eu-west-0",
] as const;

/** Host name prefixes each service may use, in preference order. */
const HOST_PREFIXES = {
  taurusdb: ["gaussdb", "gaussdbformysql"],
  dcs: ["dcs"],
} as const;

/** The two Huawei services we drive. */
export type HuaweiService = keyof typeof HOST_PREFIXES;

const SERVICE_NAMES = { taurusdb: "TaurusDB", dcs: "DCS" } as const;

/** The documented endpoint of a service in a region, or `undefined` when the table has none. */
export function defaultEndpoint(service: HuaweiService, region: string): string | undefined {
  if (service === "dcs") {
    return (DCS_REGIONS as readonly string[]).includes(region)
      ? `https://dcs.${region}.myhuaweicloud.com`
      : undefined;
  }
  if ((TAURUSDB_GAUSSDBFORMYSQL_REGIONS as readonly string[]).includes(region)) {
    return `https://gaussdbformysql.${region}.myhuaweicloud.com`;
  }
  return (TAURUSDB_GAUSSDB_REGIONS as readonly string[]).includes(region)
    ? `https://gaussdb.${region}.myhuaweicloud.com`
    : undefined;
}

/**
 * The base URL of a target: its own `baseUrl`, else the documented regional endpoint.
 *
 * @throws ValidationError when the region has no documented endpoint and no `baseUrl`
 */
export function endpointFor(
  service: HuaweiService,
  resource: { region: string; baseUrl?: string },
): string {
  if (resource.baseUrl) return resource.baseUrl;
  const known = defaultEndpoint(service, resource.region);
  if (known) return known;
  const hosts = allowedHostsFor(service, resource.region).map((h) => `https://${h}`);
  throw new ValidationError(
    `${SERVICE_NAMES[service]} has no known endpoint for region ${resource.region}`,
    [
      {
        path: "resource.baseUrl",
        message: `set it to the region's ${SERVICE_NAMES[service]} endpoint from Huawei's endpoint list (${hosts.join(" or ")})`,
      },
    ],
  );
}

/** The hosts a target of this service in this region may use. */
export function allowedHostsFor(service: HuaweiService, region: string): string[] {
  return HOST_PREFIXES[service].map((prefix) => `${prefix}.${region}.myhuaweicloud.com`);
}

/** Whether `hostname` is one of the service's hosts for exactly this region. */
export function isAllowedHost(service: HuaweiService, hostname: string, region: string): boolean {
  return allowedHostsFor(service, region).includes(hostname.toLowerCase());
}

/** Human-readable host patterns for error messages. */
export function allowedHostsText(service: HuaweiService): string {
  return HOST_PREFIXES[service].map((p) => `${p}.<region>.myhuaweicloud.com`).join(" or ");
}

/** The host rules of a Huawei service's targets: regional endpoints, for the registry. */
export function regionalHosts(service: HuaweiService) {
  return {
    baseUrl: (target: { resource: { region: string; baseUrl?: string } }) =>
      endpointFor(service, target.resource),
    allowedHost: (hostname: string, target: { resource: { region: string } }) =>
      isAllowedHost(service, hostname, target.resource.region),
    allowedHostsText: allowedHostsText(service),
  };
}

/** The IAM endpoint that issues project-scoped tokens in a region (docs/providers.md §5.2). */
export function iamEndpoint(region: string): string {
  return `https://iam.${region}.myhuaweicloud.com`;
}
