// OIDC sign-in cases for the server runtimes (Node, Deno, Bun), against the real Incus and the
// identity provider of scripts/idp-up.sh: the device flow completed by the case acting as the
// user, the bearer on a request, on exec's websockets and on the events socket, a forced refresh,
// and LXD 5.0.2 refused before anything but GET /1.0 is sent (docs/oidc.md).
import { approveDevice } from "../test/support/idp-user.mjs";
import { assert, assertEqual, assertError, rejection } from "./cases.mjs";

/** A store the case can read and make due. */
function store() {
  let tokens;
  let saves = 0;
  return {
    load: () => tokens,
    save(t) {
      if (t) saves++;
      tokens = t;
    },
    get saves() {
      return saves;
    },
  };
}

export function oidcCases(lx, env, tag) {
  const remote = { url: env.httpsUrl, ca: env.serverCert }; // no client certificate
  if (env.server === "lxd") {
    return [
      [
        `${tag}oidc: LXD 5.0.2 has no OIDC, UnsupportedError and no device flow`,
        async () => {
          let prompted = false;
          const lxd = lx.createLxd({
            remotes: { r: { ...remote, auth: { oidc: { onDeviceCode: () => (prompted = true) } } } },
            defaultRemote: "r",
          });
          try {
            const err = await rejection(lxd.operations.list(), "operations.list on LXD 5.0.2 with OIDC");
            assertError(err, lx.UnsupportedError, "operations.list on LXD 5.0.2 with OIDC");
            assertEqual(err.extension, "oidc", "the missing extension");
            assert(!prompted, "no device flow was started");
          } finally {
            await lxd.close();
          }
        },
      ],
    ];
  }
  return [
    [
      `${tag}oidc: device flow as the user, then a request, exec and events with the bearer, and a refresh`,
      async () => {
        const s = store();
        const lxd = lx.createLxd({
          remotes: {
            incus: {
              ...remote,
              auth: { oidc: { store: s, onDeviceCode: (p) => approveDevice(p.verificationUriComplete, "rt-user").then(() => {}) } },
            },
          },
          defaultRemote: "incus",
        });
        try {
          const info = await lxd.server.info();
          assertEqual([info.auth, info.auth_user_name, info.auth_user_method], ["trusted", "rt-user", "oidc"], "GET /1.0 signed in");
          const events = lxd.remote().events({ types: ["operation"] });
          await events.ready;
          const first = (async () => {
            for await (const e of events) return e;
          })();
          const r = await lxd.remote().run(env.container, ["echo", "oidc"]);
          assertEqual(r.text(), "oidc\n", "exec output over websockets with the bearer");
          assertEqual((await first)?.type, "operation", "an event on the events socket opened with the bearer");
          events.close();
          s.save({ ...s.load(), refreshAt: 0 }); // due now
          const before = s.load().accessToken;
          const again = await lxd.remote().run(env.container, ["echo", "refreshed"]);
          assertEqual(again.text(), "refreshed\n", "exec after the refresh");
          assert(s.load().accessToken !== before, "the access token was refreshed");
        } finally {
          await lxd.close();
        }
      },
    ],
  ];
}
