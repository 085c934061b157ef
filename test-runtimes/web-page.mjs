// What both Chromium runs of the web example share (web.mjs against the real LXD, web-virtual.mjs
// on the virtual LXD in the page): the browser launch, and a driver for the page's terminal and
// operations panel.

/** Chromium's flags for every run here: no sandbox (root), no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium, headless, with a fresh profile and no background traffic (closed network). */
export async function launchChromium(userDataDir, executablePath) {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ["--headless", ...CHROMIUM_ARGS],
  });
}

/** The terminal (text, size, typing) and the operations panel (status per operation id). */
export function pageDriver(page) {
  const text = () => page.evaluate(() => window.lxdWeb.terminalText());
  const termSize = () => page.evaluate(() => window.lxdWeb.term());
  /** Waits until the terminal's text matches `re` (checked on what follows `after` chars). */
  async function waitText(re, { after = 0, timeout = 10_000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const t = (await text()).slice(after);
      const m = t.match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`terminal never showed ${re}; it ends with: ${JSON.stringify(t.slice(-300))}`);
      await page.waitForTimeout(50);
    }
  }
  /** Types a command line and returns the text offset before it, for waitText. */
  async function run(line) {
    const before = (await text()).length;
    await page.keyboard.type(line);
    await page.keyboard.press("Enter");
    return before;
  }
  /** `stty size` in the terminal: the PTY's rows and cols. */
  async function stty() {
    const at = await run("stty size");
    const [, rows, cols] = await waitText(/^(\d+) (\d+)$/m, { after: at + "stty size".length });
    return { rows: Number(rows), cols: Number(cols) };
  }
  const statusOf = (id) =>
    page
      .locator(`#operations li[data-op-id="${id}"]`)
      .getAttribute("data-status", { timeout: 1000 })
      .catch(() => null);
  async function waitStatus(id, want, timeout = 10_000) {
    const end = Date.now() + timeout;
    for (let s = await statusOf(id); s !== want; s = await statusOf(id)) {
      if (Date.now() > end) throw new Error(`operation ${id} shows ${s ?? "no row"}, not ${want}`);
      await page.waitForTimeout(50);
    }
  }
  return { text, termSize, waitText, run, stty, statusOf, waitStatus };
}
