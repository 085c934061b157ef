// The browser apps scripts/check-package.mjs bundles and holds to their sizes, and how it bundles
// them; bench/bundle-breakdown.mjs shows where one's bytes go. Each app: its name, its code, its
// goal (bytes, min+gzip; undefined: none) and its ceiling (today's size with a little room).
export const apps = [
  [
    "operations.list only (lxdListOperations)",
    `import { createLxdBase, lxdListOperations } from "lxd-fetch"; export const list = () => lxdListOperations(createLxdBase())();`,
    5000,
    4700,
  ],
  [
    "the operations calls (lxdOperations)",
    `import { createLxdBase, lxdOperations } from "lxd-fetch"; export const list = () => lxdOperations(createLxdBase()).list();`,
    undefined,
    6100,
  ],
  [
    "operations + events + exec",
    `import { createLxdBase, lxdEvents, lxdExec, lxdOperations } from "lxd-fetch";
     const base = createLxdBase(); export const ops = lxdOperations(base), events = lxdEvents(base), exec = lxdExec(base);`,
    11000,
    13650,
  ],
  [
    "networks listed alone (lxdList)",
    `import { createLxdBase, lxdList, networksFamily } from "lxd-fetch"; export const list = () => lxdList(createLxdBase(), networksFamily)(undefined, { recursion: true });`,
    5000,
    5000,
  ],
  [
    "networks listed and read (lxdList, lxdGet)",
    `import { createLxdBase, lxdGet, lxdList, networksFamily } from "lxd-fetch";
     const base = createLxdBase(); export const list = () => lxdList(base, networksFamily)(undefined, { recursion: true }), get = lxdGet(base, networksFamily);`,
    undefined,
    5100,
  ],
  [
    "the networks family (lxdNetworks)",
    `import { createLxdBase, lxdNetworks } from "lxd-fetch"; export const list = () => lxdNetworks(createLxdBase()).list(undefined, { recursion: true });`,
    undefined,
    11000,
  ],
  [
    "operations + the cookie sign-in",
    `import { browserSignIn, createLxdBase, lxdOperations, sessionTransport } from "lxd-fetch";
     const base = createLxdBase({ transport: sessionTransport }); export const list = () => lxdOperations(base).list(), signIn = browserSignIn(base);`,
    undefined,
    7150,
  ],
  ["everything (createLxd)", `import { createLxd } from "lxd-fetch"; export const lxd = createLxd();`, undefined, 42550],
];

/** esbuild's options for a page of `contents`, resolved from `root`: browser condition, minified ESM. */
export const browserBundle = (contents, root) => ({
  stdin: { contents, resolveDir: root, sourcefile: "page.js" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  logLevel: "silent",
});
