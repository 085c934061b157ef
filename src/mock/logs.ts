// The virtual LXD's instance log files, as far as exec needs them: the recorded output of execs
// run with `record-output` (exec_<op>.stdout|stderr), listed, read as raw bytes and deleted, as
// LXD 5.0 answers /1.0/instances/{name}/logs and /1.0/instances/{name}/logs/{file}.
import { type HttpHandler, HttpResponse, http } from "msw";
import { errorResponse as error, syncResponse as sync } from "./envelopes.js";
import type { VirtualState } from "./state.js";

export function logHandlers(s: VirtualState): HttpHandler[] {
  const path = `${s.base}/1.0/instances/:name/logs/:file`;
  const lookup = (name: string, file: string) => {
    if (!s.instances.has(name)) return { answer: error(404, "Instance not found") };
    if (!file.startsWith("exec_")) return { answer: error(400, `log file name ${file} not valid`) };
    const data = s.logs.get(name)?.get(file);
    // LXD 5.0 reads the file without checking first: a missing one is its open error, a 500.
    return data ? { data } : { answer: error(500, `open /var/log/lxd/${name}/${file}: no such file or directory`) };
  };
  return [
    http.get(`${s.base}/1.0/instances/:name/logs`, ({ params }) => {
      const name = String(params.name);
      if (!s.instances.has(name)) return error(404, "Instance not found");
      return sync([...(s.logs.get(name)?.keys() ?? [])].map((f) => `/1.0/instances/${name}/logs/${f}`));
    }),
    http.get(path, ({ params }) => {
      const { data, answer } = lookup(String(params.name), String(params.file));
      if (!data) return answer;
      return new HttpResponse(data.slice(), { headers: { "Content-Type": "application/octet-stream" } });
    }),
    http.delete(path, ({ params }) => {
      const name = String(params.name);
      const file = String(params.file);
      if (!s.instances.has(name)) return error(404, "Instance not found");
      if (!s.logs.get(name)?.delete(file)) return error(404, "Not Found");
      return sync({});
    }),
  ];
}
