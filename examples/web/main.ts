// The web example: instances, a live operations panel fed by LXD's events, and a terminal with
// an interactive shell, all through lxd-fetch's browser entry on the page's own origin: a reverse
// proxy forwards /1.0 to LXD with the client certificate (docs/web-apps.md), or, with no
// certificate anywhere, the page signs in with Incus's own OIDC flow and its session cookies
// (serve-sign-in.mjs; docs/oidc.md, "In a web page").
// It imports the per-capability functions, so the bundle carries only what the page uses.
// Opened with `?virtual` (what `npm run demo:web` prints when there is no LXD), the page runs
// lxd-fetch/mock's virtual LXD in itself instead, through MSW's service worker: both are loaded
// by a dynamic import in that mode only, so the real-LXD page does not carry them.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import {
  browserSignIn,
  createLxdBase,
  lxdApi,
  lxdEvents,
  lxdExec,
  lxdOperations,
  type components,
  type ExecProcess,
  type LxdEvent,
  type Operation,
  SignInRequiredError,
  sessionTransport,
} from "lxd-fetch";
import "./style.css";

type Instance = components["schemas"]["Instance"];

// `local` is the page's origin; sessionTransport turns "sign in first" into SignInRequiredError
// and keeps the server's cookie refreshes to one at a time.
const base = createLxdBase({ transport: sessionTransport });
const session = browserSignIn(base);
const api = lxdApi(base)();
const operations = lxdOperations(base);
const events = lxdEvents(base);
const exec = lxdExec(base);

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], "dataset">> & {
  dataset?: Record<string, string>;
};
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<K> = {}, ...children: (Node | string)[]) => {
  const { dataset, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest);
  Object.assign(e.dataset, dataset);
  e.append(...children);
  return e;
};

// ---- signing in ------------------------------------------------------------------------------

/** The page stops and offers the server's sign-in (/oidc/login, which comes back to /ui/). */
function showSignIn(why: string): void {
  const button = el("button", { id: "sign-in", textContent: "sign in" });
  button.addEventListener("click", () => session.signIn());
  $("#auth").replaceChildren(`${why} `, button);
  document.body.dataset.auth = "signed-out";
}

function showSignedIn(user: string | undefined, method: string | undefined): void {
  document.body.dataset.auth = "signed-in";
  if (method !== "oidc") {
    $("#auth").textContent = method === "tls" ? "(client certificate)" : "";
    return;
  }
  const out = el("button", { id: "sign-out", textContent: "sign out" });
  out.addEventListener("click", () => void session.signOut().then(() => location.reload()));
  $("#auth").replaceChildren(el("span", { id: "user", textContent: user ?? "" }), " ", out);
}

/** A request refused for want of a sign-in (the session ended): offer it again. */
const signInAgain = (err: unknown) => err instanceof SignInRequiredError && (showSignIn("session ended:"), true);

// ---- instances -------------------------------------------------------------------------------

// One list at a time, and at most one more after it. Each instance-* lifecycle event asks for a
// list, and another client's execs and file pushes send dozens a second: one request each queued
// in the browser (6 connections per host over HTTP/1.1, the websockets among them) and left
// seconds after the page sent it, past the access cookie's expiry and the transport's hold, so
// Incus 6.0.4 renewed the cookie twice with one refresh token and the IdP revoked the sign-in
// (docs/oidc.md, "In a web page"). A caller still gets a list started after its call.
let listing: Promise<void> | undefined;
let nextListing: Promise<void> | undefined;
function loadInstances(): Promise<void> {
  if (!listing) {
    listing = listInstances().finally(() => (listing = undefined));
    return listing;
  }
  nextListing ??= listing
    .catch(() => undefined)
    .then(() => {
      nextListing = undefined;
      return loadInstances();
    });
  return nextListing;
}

async function listInstances(): Promise<void> {
  const { data, error } = await api.GET("/1.0/instances", { params: { query: { recursion: 1 } } });
  if (error) throw new Error(`instances: ${JSON.stringify(error)}`);
  const list = ((data?.metadata ?? []) as unknown as Instance[]).sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
  $("#instances tbody").replaceChildren(
    ...list.map((i) => {
      const open = el("button", { textContent: "shell", disabled: i.status !== "Running", title: "an interactive sh in a new terminal" });
      open.addEventListener("click", () => void openShell(i.name!));
      return el(
        "tr",
        { dataset: { instance: i.name! } },
        el("td", { textContent: i.name! }),
        el("td", { className: `state-${i.status}`, textContent: i.status ?? "" }),
        el("td", { textContent: i.type ?? "" }),
        el("td", {}, open),
      );
    }),
  );
}

// ---- operations panel ------------------------------------------------------------------------

const FINAL = new Set([200, 400, 401]);
const rows = new Map<string, HTMLLIElement>();

/** A progress figure LXD puts in an operation's metadata (downloads, migrations), if any. */
function progressOf(op: Operation): number | undefined {
  const md = (op.metadata ?? {}) as Record<string, unknown>;
  const p = md.progress as { percent?: string } | undefined;
  const percent = Number(p?.percent ?? NaN);
  return Number.isFinite(percent) ? percent : undefined;
}

// LXD sends each event from its own goroutine, so "Pending" can arrive after "Running": a row
// never goes back to an earlier stage (lxd-fetch already drops non-final updates after a final).
const stage = (code: number) => (FINAL.has(code) ? 2 : code === 103 ? 1 : 0);

function showOperation(op: Operation): void {
  let li = rows.get(op.id);
  if (li && stage(op.status_code) < Number(li.dataset.stage)) return;
  if (!li) {
    li = el("li", { dataset: { opId: op.id } });
    rows.set(op.id, li);
    $("#operations").prepend(li);
    // Keep the panel short: past 50 rows, forget finished ones shown for over half a minute.
    for (const [id, row] of [...rows].slice(0, Math.max(0, rows.size - 50))) {
      if (Date.now() - Number(row.dataset.finalAt ?? Infinity) > 30_000) row.remove(), rows.delete(id);
    }
  }
  const final = FINAL.has(op.status_code);
  li.className = `${op.status}${final ? " final" : ""}`;
  li.dataset.status = op.status;
  li.dataset.stage = String(stage(op.status_code));
  if (final) li.dataset.finalAt ??= String(Date.now());
  const percent = progressOf(op);
  const cancel = el("button", { textContent: "cancel", hidden: final || !op.may_cancel });
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    operations.cancel(undefined, op.id).catch((err: Error) => (cancel.title = err.message));
  });
  li.replaceChildren(
    el("span", { className: "op-status", textContent: op.status }),
    ` ${op.class} · ${op.description} `,
    cancel,
    el("br"),
    el("span", { className: "op-id", textContent: op.id }),
    ...(percent !== undefined && !final ? [el("progress", { max: 100, value: percent })] : []),
    ...(op.err ? [el("div", { textContent: op.err })] : []),
  );
}

/** What LXD has now: on start and after a reconnect (events of the gap were missed). */
async function seedOperations(): Promise<void> {
  const map = await operations.list(undefined, { recursion: true });
  for (const list of Object.values(map)) for (const op of list ?? []) showOperation(op);
  // Rows still shown as live that LXD no longer lists finished during the gap.
  const listed = new Set(Object.values(map).flatMap((l) => (l ?? []).map((o) => o.id)));
  for (const [id, li] of rows) {
    if (!listed.has(id) && !li.classList.contains("final")) li.classList.add("final", "Gone"), (li.dataset.finalAt = String(Date.now()));
  }
}

function setEventsState(state: "connecting" | "live" | "reconnecting" | "failed", text: string): void {
  const s = $("#events-status");
  s.className = `status ${state}`;
  s.dataset.state = state;
  s.textContent = `events: ${text}`;
}

let reconnects = 0;
async function followEvents(): Promise<void> {
  setEventsState("connecting", "connecting…");
  const sub = events(undefined, {
    types: ["operation", "lifecycle"],
    onDisconnect: () => setEventsState("reconnecting", "connection lost, reconnecting…"),
    onReconnect: () => {
      reconnects++;
      setEventsState("live", `live (reconnected ${reconnects}×)`);
      $("#events-status").dataset.reconnects = String(reconnects);
      void seedOperations().catch(() => undefined);
      void loadInstances().catch(() => undefined);
    },
  });
  void sub.ready.then(() => setEventsState("live", "live"));
  try {
    for await (const e of sub as AsyncIterable<LxdEvent>) {
      if (e.type === "operation") showOperation(e.metadata);
      else if (e.type === "lifecycle" && e.metadata.action.startsWith("instance-")) void loadInstances().catch(() => undefined);
    }
  } catch (err) {
    if (signInAgain(err)) return setEventsState("failed", "signed out");
    // The stream gave up (it retries with backoff first): start over a little later.
    setEventsState("failed", `${(err as Error).message}; retrying`);
    await new Promise((r) => setTimeout(r, 2000));
    void followEvents();
  }
}

// ---- terminal --------------------------------------------------------------------------------

const term = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, scrollback: 5000 });
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("#terminal"));
fit.fit();

let shell: ExecProcess | undefined;
const encoder = new TextEncoder();
const showSize = () => ($("#term-size").textContent = `${term.cols}×${term.rows}`);
showSize();

// The PTY follows the element: the fit addon turns its size into cols/rows, and each change is
// sent to LXD as a window-resize on the exec's control socket.
new ResizeObserver(() => fit.fit()).observe($("#terminal"));
term.onResize(({ cols, rows }) => {
  showSize();
  void shell?.resize(cols, rows).catch(() => undefined);
});
// Keystrokes go to the shell as bytes: Ctrl-C is 0x03, which the PTY turns into SIGINT.
term.onData((data) => void shellWrite(encoder.encode(data)));
term.onBinary((data) => void shellWrite(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));

let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
async function shellWrite(bytes: Uint8Array): Promise<void> {
  await writer?.write(bytes).catch(() => undefined);
}

function setTab(title: string): void {
  $("#tabs").replaceChildren(el("button", { className: "active", textContent: title }));
  $("#term-title").textContent = title;
}

async function openShell(instance: string): Promise<void> {
  if (shell) await shell.kill(9).catch(() => undefined);
  term.reset();
  fit.fit();
  setTab(`${instance}: sh`);
  const exitLabel = $("#term-exit");
  exitLabel.textContent = "";
  delete exitLabel.dataset.exitCode;
  const size = { cols: term.cols, rows: term.rows };
  const proc = await exec(undefined, instance, ["sh", "-l"], {
    interactive: true,
    width: size.cols,
    height: size.rows,
    environment: { TERM: "xterm-256color", HOME: "/root" },
  }).catch((err: unknown) => {
    if (!signInAgain(err)) exitLabel.textContent = `not started: ${(err as Error).message}`;
    throw err;
  });
  shell = proc;
  // The layout may have moved while the exec started (the tab appearing, a window resize), and
  // onResize had no shell to tell then.
  if (term.cols !== size.cols || term.rows !== size.rows) void proc.resize(term.cols, term.rows).catch(() => undefined);
  $("#term-title").dataset.operation = proc.operation.id; // its row in the operations panel
  writer = proc.stdin.getWriter();
  term.focus();
  void (async () => {
    const reader = proc.stdout.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) term.write(r.value);
  })().catch((err: Error) => term.write(`\r\n[output: ${err.message}]\r\n`));
  proc.exited
    .then(
      ({ exitCode }) => {
        exitLabel.textContent = `exited with code ${exitCode}`;
        exitLabel.dataset.exitCode = String(exitCode);
        term.write(`\r\n[process exited with code ${exitCode}]\r\n`);
      },
      (err: Error) => (exitLabel.textContent = `ended: ${err.message}`),
    )
    .finally(() => {
      if (shell === proc) (shell = undefined), (writer = undefined);
    });
}

// ---- start -----------------------------------------------------------------------------------

/** The terminal's visible text, for tests and debugging. */
function terminalText(): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? "");
  return lines.join("\n").trimEnd();
}
/** Lists instances and operations again (requests, as the page makes on a reconnect). */
const reload = () => Promise.all([loadInstances(), seedOperations()]).then(() => undefined);
Object.assign(window, { lxdWeb: { terminalText, term: () => ({ cols: term.cols, rows: term.rows }), openShell, reload } });

/** The virtual LXD (lxd-fetch/mock) answering this origin's /1.0 inside the page, through MSW's worker. */
async function startVirtualLxd(): Promise<void> {
  const [{ setupWorker }, { createVirtualLxd }] = await Promise.all([import("msw/browser"), import("lxd-fetch/mock")]);
  const virtual = createVirtualLxd({ baseUrl: location.origin, instances: ["c1"] });
  const worker = setupWorker(...virtual.handlers);
  // The worker script is public/mockServiceWorker.js (`npx msw init examples/web/public`).
  await worker.start({
    serviceWorker: { url: new URL("mockServiceWorker.js", location.href).pathname },
    onUnhandledRequest: "bypass",
    quiet: true,
  });
  Object.assign(window, { virtualLxd: virtual });
}

const virtualMode = new URLSearchParams(location.search).has("virtual");
document.body.dataset.mode = virtualMode ? "virtual" : "lxd";

async function start(): Promise<void> {
  if (virtualMode) await startVirtualLxd();
  else {
    const state = await session.state();
    // Nothing else to show until then: the sign-in comes back to this page (/ui/).
    if (!state.signedIn && state.offered) return showSignIn(state.expired ? "session ended:" : "not signed in:");
    if (state.signedIn) showSignedIn(state.user, state.method);
  }
  const { data: server, response } = await api.GET("/1.0");
  if (!response.ok || !server) {
    const link = el("a", { href: "?virtual", textContent: "open the page on the virtual LXD" });
    $("#server").replaceChildren(`no LXD behind ${location.origin} (GET /1.0: HTTP ${response.status}): `, link);
    throw new Error(`GET /1.0 answered ${response.status}`);
  }
  $("#server").textContent = virtualMode
    ? `virtual LXD in this page (lxd-fetch/mock through MSW's service worker), not a real LXD`
    : `LXD ${server.metadata?.environment?.server_version ?? "?"} at ${location.origin}`;
  await Promise.all([loadInstances(), seedOperations()]);
  void followEvents();
  document.body.dataset.ready = "true";
}
await start();
