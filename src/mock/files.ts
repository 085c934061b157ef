// The virtual LXD's instance files: a tiny in-memory filesystem per instance, answered as LXD
// 5.0.2 does (raw bytes with X-LXD-* headers, a directory as a sync envelope of names, mode, uid
// and gid applied only when a file is created, 404 "Not Found" for a missing path).
import { type HttpHandler, HttpResponse, http } from "msw";
import { concatBytes } from "../utils/bytes.js";
import { errorResponse as error, syncResponse as sync } from "./envelopes.js";
import type { VirtualState } from "./state.js";

export interface MockFile {
  type: "file" | "directory" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  data: Uint8Array;
  modified: Date;
}

/** Paths to nodes, per instance. */
export type MockFilesystem = Map<string, MockFile>;

const dir = (mode = 0o755): MockFile => ({ type: "directory", mode, uid: 0, gid: 0, data: new Uint8Array(0), modified: new Date() });

function newFilesystem(): MockFilesystem {
  return new Map(["/", "/root", "/tmp", "/etc"].map((p) => [p, dir()]));
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const clean = (p: string) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p);

function resolveLink(path: string, target: string): string {
  const parts = (target.startsWith("/") ? target : `${parentOf(path)}/${target}`).split("/");
  const out: string[] = [];
  for (const s of parts) {
    if (s === "..") out.pop();
    else if (s && s !== ".") out.push(s);
  }
  return `/${out.join("/")}`;
}

function headersOf(f: MockFile): Record<string, string> {
  return {
    "X-LXD-uid": String(f.uid),
    "X-LXD-gid": String(f.gid),
    "X-LXD-mode": f.mode.toString(8).padStart(4, "0"),
    "X-LXD-modified": f.modified.toISOString(),
    "X-LXD-type": f.type,
  };
}

/** LXD's header parsing: numbers when they parse, the mode in octal. */
function owner(h: Headers) {
  const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : -1);
  const mode = h.get("x-lxd-mode");
  return {
    uid: int(h.get("x-lxd-uid")),
    gid: int(h.get("x-lxd-gid")),
    mode: mode !== null && /^\d+$/.test(mode) ? Number.parseInt(mode, 8) & 0o777 : -1,
  };
}

export interface MockFiles {
  handlers: HttpHandler[];
  /** Each instance's filesystem (`/`, `/root`, `/tmp`, `/etc` to start with). */
  filesystems: { get(instance: string): MockFilesystem };
}

export function mockFiles(s: VirtualState): MockFiles {
  const filesystems = new Map<string, MockFilesystem>();
  const fsOf = (name: string) => {
    let fs = filesystems.get(name);
    if (!fs) filesystems.set(name, (fs = newFilesystem()));
    return fs;
  };
  const notFound = () => error(404, "Not Found");

  const handler = http.all(`${s.base}/1.0/instances/:name/files`, async ({ params, request }) => {
    const name = String(params.name);
    if (!s.instances.has(name)) return error(404, "Instance not found");
    const raw = new URL(request.url).searchParams.get("path");
    if (!raw) return error(400, "Missing path argument");
    const path = clean(raw.startsWith("/") ? raw : `/${raw}`);
    const fs = fsOf(name);
    const node = fs.get(path);
    switch (request.method) {
      case "HEAD":
        return node ? new HttpResponse(null, { status: 200, headers: headersOf(node) }) : new HttpResponse(null, { status: 404 });
      case "GET": {
        if (!node) return notFound();
        if (node.type === "directory") {
          const prefix = path === "/" ? "/" : `${path}/`;
          const names = [...fs.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes("/"));
          return sync(
            names.map((p) => p.slice(prefix.length)),
            { headers: headersOf(node) },
          );
        }
        const body = node.type === "symlink" ? new TextEncoder().encode(resolveLink(path, new TextDecoder().decode(node.data))) : node.data;
        return new HttpResponse(body.slice(), {
          headers: { ...headersOf(node), "content-type": "application/octet-stream", "content-length": String(body.byteLength) },
        });
      }
      case "DELETE": {
        if (!node) return notFound();
        if (node.type === "directory" && [...fs.keys()].some((p) => p.startsWith(`${path}/`))) return error(500, "directory not empty");
        fs.delete(path);
        return sync({});
      }
      case "POST":
        return push(fs, path, node, request);
      default:
        return error(405, "Method not allowed");
    }
  });

  async function push(fs: MockFilesystem, path: string, node: MockFile | undefined, request: Request) {
    const type = request.headers.get("x-lxd-type") || "file";
    const write = request.headers.get("x-lxd-write") || "overwrite";
    if (write !== "overwrite" && write !== "append") return error(400, `Bad file write mode: ${write}`);
    if (fs.get(parentOf(path))?.type !== "directory") return notFound();
    const o = owner(request.headers);
    const data = new Uint8Array(await request.arrayBuffer());
    const made = (t: MockFile["type"], mode: number): MockFile => ({
      type: t,
      mode: o.mode >= 0 ? o.mode : mode,
      uid: Math.max(o.uid, 0),
      gid: Math.max(o.gid, 0),
      data,
      modified: new Date(),
    });
    if (type === "directory") {
      if (!node) fs.set(path, made("directory", 0o750));
    } else if (type === "symlink") {
      if (node) return error(500, "file exists");
      fs.set(path, { ...made("symlink", 0o777), mode: 0o777 });
    } else if (type === "file") {
      if (node && node.type !== "file") return error(500, "is a directory");
      if (!node) fs.set(path, made("file", 0o644));
      else {
        node.data = write === "append" ? concatBytes([node.data, data]) : data;
        node.modified = new Date();
      }
    } else return error(400, `Bad file type: ${type}`);
    return sync({});
  }

  return { handlers: [handler], filesystems: { get: fsOf } };
}
