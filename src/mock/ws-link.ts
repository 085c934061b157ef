// MSW's ws.link() makes a client manager that adds a listener to the one BroadcastChannel MSW
// shares across the process, and never removes it: each virtual LXD added two, and a test file
// that made a handful got Node's MaxListenersExceededWarning (11 listeners on the channel). The
// links hold no state of ours (each addEventListener gives its own handler), so one per URL serves
// every virtual LXD at that address.
import { ws } from "msw";

type Link = ReturnType<typeof ws.link>;
const links = new Map<string, Link>();

/** `ws.link(url)`, made once per URL. */
export function wsLink(url: string): Link {
  let link = links.get(url);
  if (!link) links.set(url, (link = ws.link(url)));
  return link;
}
