/**
 * A `/__sandbox/*` request as the local runtime's own tools send it: the simulator's admin
 * token, and a body (a string is sent as is, anything else as JSON) labelled JSON.
 *
 * @example await sandboxAdmin(sim, "POST", "/__sandbox/faults", { kind: "status", status: 503 })
 */
export function sandboxAdmin(
  sim: { url: string; adminToken: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${sim.adminToken}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}
