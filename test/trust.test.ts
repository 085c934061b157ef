// Trust on the virtual LXD (token → enrol → certificate → remove) and on MSW handlers for the
// field each server reads (by its API extensions) and the error paths.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { decodeTrustToken, InvalidArgumentError } from "../src/index.js";
import { VIRTUAL_SERVER_FINGERPRINT } from "../src/mock/index.js";
import { BASE, client, lxdError, sync, useMockServer } from "./support/mock.js";
import { useVirtualLxd } from "./support/virtual.js";

const token = (secret = "s3cret") => btoa(JSON.stringify({ client_name: "n", fingerprint: "ab", addresses: ["h:8443"], secret }));

describe("trust on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("a token enrols once; the certificate is listed, then removed; a revoked token is gone", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const made = await lxd.trust.createToken("v", "ci-runner", { restricted: false });
    expect(decodeTrustToken(made.token)).toMatchObject({ client_name: "ci-runner", fingerprint: VIRTUAL_SERVER_FINGERPRINT });
    expect(await lxd.trust.tokens("v", (t) => t.map((x) => x.name))).toEqual(["ci-runner"]);
    await lxd.trust.enrol("v", made.token);
    expect(await lxd.trust.tokens("v")).toEqual([]);
    await expect(lxd.trust.enrol("v", made.token)).rejects.toMatchObject({ name: "LxdError", status: 403 });
    const [cert] = await lxd.trust.list("v");
    expect(cert).toMatchObject({ name: "ci-runner", type: "client" });
    await lxd.trust.remove("v", cert!.fingerprint!);
    expect(virtual.certificates.size).toBe(0);

    const other = await lxd.trust.createToken("v", "other");
    await lxd.trust.revokeToken("v", other.id);
    expect(await lxd.trust.tokens("v")).toEqual([]);
  });
});

describe("trust: the token's field and the error paths", () => {
  const server = useMockServer();

  function serverWith(extensions: string[]) {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.get(`${BASE}/1.0`, () => sync({ api_extensions: extensions, auth: "untrusted" })),
      http.post(`${BASE}/1.0/certificates`, async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return sync({});
      }),
    );
    return bodies;
  }

  it("with explicit_trust_token only trust_token is sent", async () => {
    const bodies = serverWith(["certificate_token", "explicit_trust_token"]);
    const lxd = client();
    await lxd.trust.enrol(undefined, token());
    expect(bodies).toEqual([{ type: "client", trust_token: token() }]);
    await lxd.close();
  });

  it("without it (LXD 5.0, Incus 6.0) the token goes in password and trust_token", async () => {
    const bodies = serverWith(["certificate_token"]);
    const lxd = client();
    await lxd.trust.enrol(undefined, token());
    expect(bodies).toEqual([{ type: "client", password: token(), trust_token: token() }]);
    await lxd.close();
  });

  it("a refused enrolment is an LxdError that does not carry the token", async () => {
    server.use(
      http.get(`${BASE}/1.0`, () => sync({ api_extensions: [] })),
      http.post(`${BASE}/1.0/certificates`, () => lxdError(403, "No matching certificate add operation found")),
    );
    const lxd = client();
    const err = (await lxd.trust.enrol(undefined, token("topsecret")).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: "LxdError", status: 403 });
    expect(`${err.message} ${JSON.stringify(err)}`).not.toMatch(/topsecret|eyJ/);
    await lxd.close();
  });

  it("a token operation without a token in it is a typed error; HTML is a ResponseError", async () => {
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 500 })),
      http.post(`${BASE}/1.0/certificates`, () =>
        HttpResponse.json(
          {
            type: "async",
            status: "",
            status_code: 100,
            operation: "",
            error_code: 0,
            error: "",
            metadata: { id: crypto.randomUUID(), class: "token", metadata: {} },
          },
          { status: 202 },
        ),
      ),
      http.get(`${BASE}/1.0/certificates`, () => new HttpResponse("<html/>", { status: 502, headers: { "content-type": "text/html" } })),
    );
    const lxd = client();
    await expect(lxd.trust.createToken(undefined, "x")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.trust.list()).rejects.toMatchObject({ name: "ResponseError", status: 502 });
    await lxd.close();
  });

  it("bad input is refused before anything is sent, never quoting a token", async () => {
    const lxd = client();
    for (const t of ["", "%%%", btoa("{}"), btoa(JSON.stringify({ client_name: "n", fingerprint: "f", addresses: [], secret: "s" }))]) {
      const err = (await lxd.trust.enrol(undefined, t).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(InvalidArgumentError);
      if (t.length > 3) expect(err.message).not.toContain(t.slice(0, 8));
    }
    await expect(lxd.trust.createToken(undefined, "x", { projects: "p" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.trust.revokeToken(undefined, "not-an-id")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.trust.remove(undefined, "a/b")).rejects.toBeInstanceOf(InvalidArgumentError);
    await lxd.close();
  });
});
