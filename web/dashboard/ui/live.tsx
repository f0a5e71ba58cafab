// Whether the page is live: the socket's state, in words (and a dot that is decoration only).
import { useEffect, useState } from "preact/hooks";
import type { LinkState } from "../api/client.js";
import { api } from "../api/session.js";

const WORDS: Record<LinkState, string> = { live: "Live", connecting: "Connecting…", offline: "Offline, reconnecting…" };

export function LiveIndicator() {
  const [state, setState] = useState<LinkState>(api.state);
  useEffect(() => api.onState(setState), []);
  return <p class={`live live-${state}`} role="status"><span class="dot" aria-hidden="true" />{WORDS[state]}</p>;
}
