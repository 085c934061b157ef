// The virtual LXD's trust store: token operations (Running until used or cancelled, their
// secret in metadata), enrolment with a token (`password` as LXD 5.0 reads it, or
// `trust_token`), the certificate list and removal. MSW sees no TLS, so an enrolled client's
// "certificate" gets a made-up fingerprint.
import { http, type PathParams } from "msw";
import type { components } from "../generated/lxd.js";
import type { IncusCertificatesPostFields } from "../types/incus.js";
import type { MockContext, MockOperation } from "./context.js";

const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");

/** The fingerprint the virtual server's tokens carry. */
export const VIRTUAL_SERVER_FINGERPRINT = "5e".repeat(32);

function decode(token: string): { secret?: string } | undefined {
  try {
    return JSON.parse(atob(token)) as { secret?: string };
  } catch {
    return undefined;
  }
}

export function trustHandlers(ctx: MockContext, operations: Map<string, MockOperation>) {
  const { base, ok, error } = ctx;
  const certificates = new Map<
    string,
    { name: string; type: string; fingerprint: string; restricted: boolean; projects: string[]; certificate: string }
  >();

  const handlers = [
    http.post<PathParams, components["schemas"]["CertificatesPost"] & IncusCertificatesPostFields>(
      `${base}/1.0/certificates`,
      async ({ request }) => {
        const body = await request.json();
        if (body.token) {
          const m = ctx.newOp(
            "token",
            "Executing operation",
            {},
            {
              request: { ...body, projects: [] },
              secret: hex(),
              fingerprint: VIRTUAL_SERVER_FINGERPRINT,
              addresses: [new URL(base).host],
            },
          );
          return ctx.accepted(m);
        }
        const given = body.trust_token ?? body.password;
        if (!given) return error(403, "not authorized");
        const secret = decode(given)?.secret;
        const m = [...operations.values()].find(
          (o) => o.op.class === "token" && o.op.status_code === 103 && o.op.metadata?.secret === secret,
        );
        if (!secret || !m) return error(403, "No matching certificate add operation found");
        ctx.finish(m, "Cancelled"); // single use, as LXD does
        const asked = m.op.metadata?.request;
        const fingerprint = hex();
        certificates.set(fingerprint, {
          name: typeof asked === "object" && asked !== null && "name" in asked && typeof asked.name === "string" ? asked.name : "",
          type: "client",
          fingerprint,
          restricted: false,
          projects: [],
          certificate: "",
        });
        return ok({});
      },
    ),
    http.get(`${base}/1.0/certificates`, ({ request }) => {
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      return ok([...certificates.values()].map((c) => (recursion ? c : `/1.0/certificates/${c.fingerprint}`)));
    }),
    http.delete(`${base}/1.0/certificates/:fingerprint`, ({ params }) =>
      certificates.delete(String(params.fingerprint)) ? ok({}) : error(404, "Certificate not found"),
    ),
  ];
  return { handlers, certificates };
}
