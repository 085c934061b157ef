// The person at the browser, for the device flow against scripts/idp.mjs: opens the verification
// URL, then fills and submits each form the IdP shows (the code confirmation, the login of
// oidc-provider's dev interactions, the consent), carrying the IdP's cookies, until a page without
// a form (the "signed in" page). Plain fetch and node:-free, so Node, Deno and Bun suites share it.

/** The first <form> of a page: its action and inputs (buttons are left out, so "abort" is never sent). */
function firstForm(html, base) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /action="([^"]*)"/i.exec(form[1])?.[1] ?? "";
  const fields = new URLSearchParams();
  for (const m of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = /name="([^"]*)"/i.exec(m[1])?.[1];
    if (!name) continue;
    fields.set(name, (/value="([^"]*)"/i.exec(m[1])?.[1] ?? "").replace(/&amp;/g, "&"));
  }
  return { url: new URL(action.replace(/&amp;/g, "&"), base).href, fields };
}

/**
 * Approves a device authorization as `login` (any name: the IdP's dev interactions take any login
 * and password; names starting with "short" get short-lived access tokens). Returns the final page.
 */
export async function approveDevice(verificationUriComplete, login) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (res) => {
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
  };
  let url = verificationUriComplete;
  let init = { method: "GET" };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie: cookie() } });
    keep(res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location"), url).href;
      init = { method: "GET" };
      await res.body?.cancel();
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`IdP answered ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const form = firstForm(html, url);
    if (!form) return html;
    if (form.fields.has("login")) form.fields.set("login", login);
    if (form.fields.has("password")) form.fields.set("password", "any");
    url = form.url;
    init = { method: "POST", body: form.fields.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } };
  }
  throw new Error("the IdP's forms did not end in 20 steps");
}

/** Revokes a token at the IdP (RFC 7009), as the public client `client_id` may. */
export async function revokeAtIdp(issuer, clientId, token) {
  const res = await fetch(`${issuer}/token/revocation`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, client_id: clientId }).toString(),
  });
  if (!res.ok) throw new Error(`revocation answered ${res.status}`);
}
