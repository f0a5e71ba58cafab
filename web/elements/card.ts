// paygraph.js's card form: this page runs in an iframe of paygraph's origin inside the merchant's
// page, so the card number lives only here. The merchant's page asks for a token over
// postMessage; only messages from the parent window at the origin this frame was opened for are
// heard, and answers go to that origin only. Framing by any other origin is refused by the
// server's Content-Security-Policy (frame-ancestors: the publishable key's allowed origins).
import { CardFields } from "../shared/card-fields.js";
import { applyLocale, type Locale } from "../shared/i18n.js";

const params = new URLSearchParams(location.search);
const key = params.get("key") ?? "";
const parentOrigin = params.get("origin") ?? "";
const locale: Locale = params.get("locale") === "ar" ? "ar" : "en";
const t = applyLocale(locale, (words) => words.cardForm);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fields = new CardFields($("fields"), t);
const alertBox = $("alert");

$("legend").textContent = t.cardForm;

type Reply = { type: "ready" } | { type: "resize"; height: number } | { type: "token"; requestId: string; token?: { id: string; card: unknown }; error?: { code: string; message: string } };
const post = (reply: Reply): void => window.parent.postMessage({ source: "paygraph", ...reply }, parentOrigin);

/** The alert region stays in place (a screen reader announces its changes); only its text changes. */
function announce(text: string | null): void {
  alertBox.textContent = text ?? "";
}

async function createToken(requestId: string): Promise<void> {
  const card = fields.read(t);
  if (!card) {
    announce(t.fixErrors);
    return post({ type: "token", requestId, error: { code: "invalid_card", message: t.fixErrors } });
  }
  announce(null);
  try {
    const res = await fetch("/v1/tokens", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ card }) });
    const body = (await res.json().catch(() => ({}))) as { id?: string; card?: unknown; error?: { code?: string; message?: string } };
    if (res.status === 201 && typeof body.id === "string") return post({ type: "token", requestId, token: { id: body.id, card: body.card } });
    announce(t.tryAgain);
    post({ type: "token", requestId, error: { code: body.error?.code ?? "tokenization_failed", message: body.error?.message ?? t.tryAgain } });
  } catch {
    announce(t.connection);
    post({ type: "token", requestId, error: { code: "network_error", message: t.connection } });
  }
}

window.addEventListener("message", (event: MessageEvent) => {
  if (event.origin !== parentOrigin || event.source !== window.parent) return;
  const data = event.data as { source?: unknown; type?: unknown; requestId?: unknown } | null;
  if (data?.source !== "paygraph" || data.type !== "createToken" || typeof data.requestId !== "string") return;
  void createToken(data.requestId);
});

new ResizeObserver(() => post({ type: "resize", height: document.documentElement.scrollHeight })).observe(document.body);
post({ type: "ready" });
