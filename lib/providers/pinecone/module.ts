import { fixedHosts, type VendorModule } from "../vendor.ts";
import { PineconeProvider } from "./adapter.ts";

/** The one control-plane host (docs/providers.md §2.1). */
export const PINECONE_HOSTS = ["api.pinecone.io"] as const;
export const PINECONE_DEFAULT_BASE_URL = "https://api.pinecone.io";

/** The Pinecone entry of the provider registry. */
export const pineconeModule: VendorModule<"pinecone"> = {
  name: "pinecone",
  ...fixedHosts(PINECONE_HOSTS, PINECONE_DEFAULT_BASE_URL),
  create: (options) => new PineconeProvider(options),
};
