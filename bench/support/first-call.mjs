// One cold start, for bench/cold-start.ts (plain JavaScript: no type stripping in the
// measured process): imports a bundle and, given an event, handles
// it once, then says how that invocation ended (on the last line, after the function's
// own output).
const [file, event] = process.argv.slice(2);
const { handler } = await import(file);
let outcome = "imported";
if (event) {
  try {
    const result = await handler(JSON.parse(event), { awsRequestId: "bench" });
    outcome = result?.statusCode ? `HTTP ${result.statusCode}` : "answered";
  } catch (error) {
    outcome = error instanceof Error ? error.name : String(error);
  }
}
process.stdout.write(`\n@@outcome ${outcome}\n`);
