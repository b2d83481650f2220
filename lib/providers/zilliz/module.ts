import { fixedHosts, type VendorModule } from "../vendor.ts";
import { ZillizProvider } from "./adapter.ts";

/** Control-plane hosts a Zilliz target may point at (docs/providers.md §1.1). */
export const ZILLIZ_HOSTS = ["api.cloud.zilliz.com", "api.cloud.zilliz.com.cn"] as const;
export const ZILLIZ_DEFAULT_BASE_URL = "https://api.cloud.zilliz.com";

/** The Zilliz entry of the provider registry. */
export const zillizModule: VendorModule<"zilliz"> = {
  name: "zilliz",
  ...fixedHosts(ZILLIZ_HOSTS, ZILLIZ_DEFAULT_BASE_URL),
  create: (options) => new ZillizProvider(options),
};
