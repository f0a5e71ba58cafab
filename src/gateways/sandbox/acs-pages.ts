// The sandbox ACS's pages: the challenge (a one-time code, Submit and Cancel) and the hand-back
// that posts the CRes to the requestor's notification URL. Plain HTML with labelled fields, usable
// by keyboard, under a strict Content-Security-Policy with a per-page nonce.
import { Money } from "../../platform/money.js";
import type { Authentication } from "./three-ds.js";

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;max-width:28rem}
h1{font-size:1.25rem}label{display:block;font-weight:600;margin-top:1rem}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}button{font:inherit;padding:.5rem 1rem;margin:1rem .5rem 0 0}
.hint{color:#444;font-size:.9rem}`;

export interface Page {
  html: string;
  /** The page's Content-Security-Policy (its nonce, and where its form may post). */
  csp: string;
}

function page(nonce: string, formAction: string, title: string, body: string): Page {
  return {
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`,
    csp: `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action ${formAction}; base-uri 'none'`,
  };
}

/** The challenge: "enter the code we sent", the purchase it is for, Submit and Cancel. */
export function challengePage(auth: Authentication, nonce: string): Page {
  const amount = `${Money.of(auth.amount, auth.currency).format()} ${auth.currency}`;
  const expires = auth.challengeDeadline ? new Date(auth.challengeDeadline).toISOString().slice(11, 16) : "";
  return page(nonce, "'self'", "Confirm your purchase", `
<h1>Confirm your purchase</h1>
<p>Purchase of <strong id="amount">${escape(amount)}</strong> with the card ending in <strong>${escape(auth.cardNumber.slice(-4))}</strong>.</p>
<form method="post" action="/3ds/challenge/answer">
  <input type="hidden" name="acsTransId" value="${escape(auth.acsTransId)}">
  <label for="code">Code sent to your phone</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required aria-describedby="code-hint">
  <p id="code-hint" class="hint">Sandbox: the code is 123456. It expires at ${escape(expires)} UTC.</p>
  <button type="submit" name="action" value="submit">Submit</button>
  <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>`);
}

/** The hand-back: posts the CRes to the requestor at once (a button without JavaScript). */
export function resultPage(auth: Authentication, cres: string, nonce: string): Page {
  const target = new URL(auth.notificationUrl);
  const done = auth.transStatus === "Y" ? "Authenticated." : "Not authenticated.";
  return page(nonce, target.origin, "Returning to the merchant", `
<h1>${escape(done)}</h1>
<form id="cres" method="post" action="${escape(target.href)}">
  <input type="hidden" name="cres" value="${escape(cres)}">
  <button type="submit">Continue</button>
</form>
<script nonce="${nonce}">document.getElementById("cres").submit();</script>`);
}

/** An unknown or malformed challenge. */
export function errorPage(message: string, nonce: string): Page {
  return page(nonce, "'none'", "Authentication", `<h1>Authentication</h1><p role="alert">${escape(message)}</p>`);
}
