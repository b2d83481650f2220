#!/usr/bin/env node
// The `warden` command. The code is TypeScript, run by Node 24's type stripping.
import { main } from "../cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
