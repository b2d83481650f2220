import type { VendorModule } from "../vendor.ts";
import { PineconeProvider } from "./adapter.ts";

/** The one control-plane host (docs/providers.md §Pinecone, hosts). */
export const PINECONE_HOSTS = ["api.pinecone.io"] as const;
export const PINECONE_DEFAULT_BASE_URL = "https://api.pinecone.io";

/** The Pinecone entry of the provider registry. */
export const pineconeModule: VendorModule<"pinecone"> = {
  name: "pinecone",
  baseUrl: (target) => target.resource.baseUrl ?? PINECONE_DEFAULT_BASE_URL,
  allowedHost: (hostname) => (PINECONE_HOSTS as readonly string[]).includes(hostname),
  allowedHostsText: PINECONE_HOSTS.join(" or "),
  create: (options) => new PineconeProvider(options),
};
