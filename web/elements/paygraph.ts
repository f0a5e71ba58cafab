// paygraph.js, for a merchant's page:
//   const paygraph = Paygraph("pk_test_…");
//   paygraph.mount("#card");                      // the card fields, in an iframe of paygraph's origin
//   const { id } = await paygraph.createToken();  // "tok_…": confirmPayment(input: { token }) on the server
// The card number never enters the merchant's page: the iframe tokenizes it with paygraph itself
// and hands back only the token, over postMessage checked both ways (origin and window).

interface Token { id: string; card: { brand: string; last4: string; expMonth: number; expYear: number; country: string | null } }

export class PaygraphError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "PaygraphError";
  }
}

/** paygraph's origin: where this script was loaded from. */
const PAYGRAPH_ORIGIN = new URL((document.currentScript as HTMLScriptElement | null)?.src ?? location.href).origin;
const TOKEN_TIMEOUT_MS = 30_000;

export function Paygraph(publishableKey: string, options: { locale?: "en" | "ar" } = {}) {
  if (!/^pk_[a-z]+_\w+$/.test(publishableKey)) throw new PaygraphError("invalid_key", "Paygraph(publishableKey): give a publishable key (pk_…), never a secret one");
  let frame: HTMLIFrameElement | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const pending = new Map<string, { resolve: (token: Token) => void; reject: (err: PaygraphError) => void }>();

  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== PAYGRAPH_ORIGIN || !frame || event.source !== frame.contentWindow) return;
    const data = event.data as { source?: string; type?: string; height?: number; requestId?: string; token?: Token; error?: { code: string; message: string } } | null;
    if (data?.source !== "paygraph") return;
    if (data.type === "ready") markReady();
    else if (data.type === "resize" && typeof data.height === "number") frame.style.height = `${Math.ceil(data.height)}px`;
    else if (data.type === "token" && data.requestId) {
      const waiting = pending.get(data.requestId);
      pending.delete(data.requestId);
      if (data.token) waiting?.resolve(data.token);
      else waiting?.reject(new PaygraphError(data.error?.code ?? "tokenization_failed", data.error?.message ?? "The card could not be tokenized"));
    }
  });

  return {
    /** Renders the card fields into `target` (a selector or an element). */
    mount(target: string | HTMLElement): void {
      const host = typeof target === "string" ? document.querySelector<HTMLElement>(target) : target;
      if (!host) throw new PaygraphError("mount_target_missing", `Paygraph.mount: no element matches ${String(target)}`);
      if (frame) throw new PaygraphError("already_mounted", "Paygraph.mount: this card form is already mounted");
      const src = new URL("/elements/card", PAYGRAPH_ORIGIN);
      src.searchParams.set("key", publishableKey);
      src.searchParams.set("origin", location.origin);
      if (options.locale) src.searchParams.set("locale", options.locale);
      frame = document.createElement("iframe");
      frame.src = src.href;
      frame.title = options.locale === "ar" ? "بيانات البطاقة" : "Card details";
      frame.setAttribute("style", "border:0;width:100%;height:190px;display:block");
      host.appendChild(frame);
    },
    /** Tokenizes what the shopper typed: resolves to `{ id: "tok_…", card }`, or rejects with a PaygraphError (invalid_card, …). */
    async createToken(): Promise<Token> {
      if (!frame) throw new PaygraphError("not_mounted", "Paygraph.createToken: mount the card form first");
      await ready;
      const requestId = crypto.randomUUID();
      return new Promise<Token>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new PaygraphError("timeout", "The card form did not answer"));
        }, TOKEN_TIMEOUT_MS);
        pending.set(requestId, {
          resolve: (token) => (clearTimeout(timer), resolve(token)),
          reject: (err) => (clearTimeout(timer), reject(err)),
        });
        frame!.contentWindow!.postMessage({ source: "paygraph", type: "createToken", requestId }, PAYGRAPH_ORIGIN);
      });
    },
  };
}

(window as unknown as { Paygraph: typeof Paygraph }).Paygraph = Paygraph;
