// The CLI's reader of lxc's config.yml: the same result as the YAML package wherever it answers,
// and no answer (so the YAML package decides) for anything outside the subset lxc writes.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseLxcYaml } from "../src/cli/lxc-yaml.js";

// As `lxc remote add` leaves it (Go yaml.v2 output), plus a Windows line ending.
const LXC = `default-remote: prod
remotes:
  images:
    addr: https://images.linuxcontainers.org
    protocol: simplestreams
    public: true
  local:
    addr: unix://
    public: false
  prod:
    addr: https://10.0.0.5:8443
    auth_type: tls
    project: default
    protocol: lxd
    public: false
  sock:
    addr: unix:///var/snap/lxd/common/lxd/unix.socket\r
aliases: {}
`;

describe("parseLxcYaml", () => {
  it("reads lxc's own config exactly as the YAML package does", () => {
    expect(parseLxcYaml(LXC)).toEqual(parse(LXC));
    expect(parseLxcYaml(LXC)?.remotes).toHaveProperty("prod.addr", "https://10.0.0.5:8443");
  });

  it.each([
    ["a quoted value", `a:\n  addr: "https://x:8443"\n`],
    ["a list", `aliases:\n  - x\n`],
    ["a comment", `# hi\na: b\n`],
    ["a trailing comment", `a: b # hi\n`],
    ["YAML 1.1 booleans", `public: yes\n`],
    ["a number that is not an integer", `v: 1.0\n`],
    ["a key with nothing under it", `a:\nb: c\n`],
    ["an anchor", `a: &x b\n`],
    ["a tab", `a:\n\tb: c\n`],
    ["a duplicate key", `a: b\na: c\n`],
    ["inconsistent indentation", `a:\n    b: c\n  d: e\n`],
    ["a flow mapping with content", `a: {b: c}\n`],
  ])("leaves %s to the YAML package", (_, text) => {
    expect(parseLxcYaml(text)).toBeUndefined();
  });

  it("nested mappings close at the right level", () => {
    const text = `a:\n  b:\n    c: d\n  e: f\ng: 1\n`;
    expect(parseLxcYaml(text)).toEqual(parse(text));
  });
});
