// A live, cancellable operation for the tests: a certificate add token stays `Running` until
// cancelled, on LXD, Incus and the virtual LXD alike.
import type { Client } from "openapi-fetch";
import type { paths } from "../../src/generated/lxd.js";

/** Creates a token operation through a client's `api()` (or the typed client itself); returns its id. */
export async function createTokenOperation(via: Client<paths> | { api(remote?: string): Client<paths> }, remote?: string): Promise<string> {
  const api = "POST" in via ? via : via.api(remote);
  const name = `lxd-fetch-test-${Math.random().toString(36).slice(2, 10)}`;
  const { data, error, response } = await api.POST("/1.0/certificates", { body: { name, type: "client", token: true } });
  if (error || response.status !== 202) throw new Error(`token operation not created: ${response.status} ${JSON.stringify(error)}`);
  const id = (data as { metadata?: { id?: string } } | undefined)?.metadata?.id;
  if (!id) throw new Error("token operation without id");
  return id;
}
