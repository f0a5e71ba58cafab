// paygraph's own pages in a 3-D Secure challenge, for the shopper's browser: the hand-off that posts
// the CReq to the issuer's ACS (the redirectUrl of a payment's nextAction), and the result page a
// shopper lands on when the confirmation gave no returnUrl. Plain HTML under a strict
// Content-Security-Policy with a per-page nonce; they may not be framed.
import { randomBytes } from "node:crypto";

export interface Page {
  status: number;
  html: string;
  csp: string;
}

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const STYLE = "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;max-width:32rem}h1{font-size:1.25rem}button{font:inherit;padding:.5rem 1rem}";

function page(status: number, title: string, body: string, opts: { formAction?: string; script?: string } = {}): Page {
  const nonce = randomBytes(16).toString("base64");
  const script = opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : "";
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main>${script}</body></html>`,
    csp: [
      "default-src 'none'", `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`,
      `form-action ${opts.formAction ?? "'none'"}`, "base-uri 'none'", "frame-ancestors 'none'",
    ].join("; "),
  };
}

/** Posts the CReq to the ACS at once (a button if scripts are off): the start of the shopper's challenge. */
export function challengeHandOff(acsUrl: string, creq: string): Page {
  const form = `<h1>Verifying your card</h1><p>Your bank asks you to confirm this payment. Taking you to your bank…</p>
<form id="creq" method="post" action="${escape(acsUrl)}"><input type="hidden" name="creq" value="${escape(creq)}"><noscript><button type="submit">Continue to your bank</button></noscript></form>`;
  return page(200, "Verifying your card", form, { formAction: new URL(acsUrl).origin, script: 'document.getElementById("creq").submit();' });
}

/**
 * The way on after the challenge, as a page rather than a redirect: the ACS's page posted the CRes
 * here, and the form-action of that page's own policy would also bind a redirect to another origin.
 */
export function sendOnPage(target: string): Page {
  const body = `<h1>Verification finished</h1><p><a id="on" href="${escape(target)}">Continue</a></p>`;
  return page(200, "Verification finished", body, { script: `location.replace(document.getElementById("on").href);` });
}

const OUTCOMES: Record<string, { title: string; text: string }> = {
  CAPTURED: { title: "Payment complete", text: "Your card was verified and the payment went through." },
  AUTHORIZED: { title: "Payment authorized", text: "Your card was verified and the payment is authorized." },
  PROCESSING: { title: "Payment processing", text: "Your card was verified; the payment is being processed. You may close this page." },
  REQUIRES_ACTION: { title: "Verification pending", text: "The verification with your bank has not finished." },
  REQUIRES_PAYMENT_METHOD: { title: "Payment not completed", text: "Your card could not be verified. Nothing was charged; you can try again, or with another card." },
  FAILED: { title: "Payment failed", text: "The payment could not be completed. Nothing was charged." },
  CANCELED: { title: "Payment cancelled", text: "The payment was cancelled. Nothing was charged." },
};

/** Where a shopper lands after a challenge when the confirmation gave no returnUrl. */
export function resultPage(status: string | undefined, paymentId: string | undefined): Page {
  if (!status || !paymentId) return page(404, "Not found", "<h1>Not found</h1><p>This verification is not known.</p>");
  const outcome = OUTCOMES[status] ?? { title: "Payment", text: `The payment is ${status.toLowerCase()}.` };
  return page(200, outcome.title, `<h1 data-status="${escape(status)}">${escape(outcome.title)}</h1><p>${escape(outcome.text)}</p><p>Reference: <code>${escape(paymentId)}</code></p>`);
}

export const notFoundPage = (): Page => resultPage(undefined, undefined);
