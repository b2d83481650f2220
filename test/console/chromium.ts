import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's chromium package puts the browser (`WARDEN_CHROMIUM` overrides it). */
export const CHROMIUM = process.env.WARDEN_CHROMIUM ?? "/usr/bin/chromium";

/**
 * A headless Chromium driven by Playwright. The browser is the system's (Playwright's own
 * download is not reachable here), so when it is missing the tests fail saying how to
 * get it rather than skipping: a console nobody tested in a browser is not tested.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the console's browser tests need Chromium at ${CHROMIUM}: install Debian's package (sudo apt-get update && sudo apt-get install -y chromium; .ci/run does it) or point WARDEN_CHROMIUM at a Chromium binary`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox (tests may run as root); nothing that phones home on a closed network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
