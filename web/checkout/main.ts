// The hosted checkout page. It holds no API key: its credential is the session's client secret,
// carried in the URL's fragment (never sent to a server, never in a Referer) and kept in this
// tab's sessionStorage for the way back from 3-D Secure. Everything goes over one graphql-ws
// connection: the session as it changes (a subscription, not polling), and the payment itself.
import { createClient, type Client } from "graphql-ws/client";
import { applyLocale, failureText, formatAmount, messages, type Locale, type Messages } from "../shared/i18n.js";
import { CardFields } from "../shared/card-fields.js";

interface Session {
  id: string;
  status: "OPEN" | "COMPLETE" | "EXPIRED";
  locale: Locale;
  merchantName: string;
  description: string | null;
  amount: { amount: string; currency: string };
  successUrl: string;
  cancelUrl: string | null;
  paymentStatus: string;
  lastPaymentError: { code: string; declineCode: string | null } | null;
  nextAction: { type: string; redirectUrl: string } | null;
}

const FIELDS = "id status locale merchantName description amount { amount currency } successUrl cancelUrl paymentStatus lastPaymentError { code declineCode } nextAction { type redirectUrl }";
const FOLLOW = `subscription Follow($id: ID!) { checkoutSessionUpdated(id: $id) { ${FIELDS} } }`;
const PAY = `mutation Pay($input: PayCheckoutSessionInput!) { payCheckoutSession(input: $input) { checkoutSession { ${FIELDS} } } }`;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>("pay");
const submit = $<HTMLButtonElement>("submit");
const alertBox = $("alert");
const statusLine = $("status");
const fields = new CardFields($("fields"), messages.en);

const sessionId = location.pathname.split("/").filter(Boolean)[1] ?? "";
const secret = takeSecret();
let t: Messages = messages.en;
let current: Session | undefined;
/** The try this page is waiting for: its errors are announced, its challenge followed. */
let paying = false;
let leaving = false;

/** The secret from the fragment (then dropped from the address bar), or from this tab's storage. */
function takeSecret(): string | null {
  const key = `paygraph:checkout:${sessionId}`;
  let fromHash = "";
  try {
    fromHash = decodeURIComponent(location.hash.slice(1));
  } catch {
    // a mangled link: no secret from it
  }
  if (fromHash.startsWith(`${sessionId}_secret_`)) {
    sessionStorage.setItem(key, fromHash);
    history.replaceState(null, "", location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(key);
}

function setLocale(locale: Locale): void {
  t = applyLocale(locale, (words) => words.title);
  $("title").textContent = t.title;
  fields.setLocale(t);
  $("cancel").textContent = t.cancel;
  $("bank").textContent = t.continueVerification;
}

function say(text: string, done = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle("done", done);
}

/** The alert region stays in place (a screen reader announces its changes); only its text changes. */
function announce(text: string | null): void {
  alertBox.textContent = text ?? "";
}

function leave(url: string): void {
  if (leaving) return;
  leaving = true;
  location.assign(url);
}

function render(session: Session): void {
  current = session;
  if (document.documentElement.lang !== session.locale) setLocale(session.locale);
  const amount = formatAmount(session.locale, session.amount.amount, session.amount.currency);
  $("merchant").textContent = session.merchantName;
  $("amount").textContent = amount;
  $("description").textContent = session.description ?? "";
  submit.textContent = t.pay(amount);
  const cancel = $<HTMLAnchorElement>("cancel");
  cancel.hidden = !session.cancelUrl || session.status !== "OPEN";
  if (session.cancelUrl) cancel.href = session.cancelUrl;
  $("checkout").setAttribute("aria-busy", "false");

  const open = session.status === "OPEN";
  const canPay = open && session.paymentStatus === "REQUIRES_PAYMENT_METHOD";
  form.hidden = !canPay && !(open && (session.paymentStatus === "PROCESSING" || session.paymentStatus === "REQUIRES_ACTION"));
  submit.disabled = !canPay;
  fields.disabled = !canPay;
  // The moment the card field first takes keystrokes (bench/checkout.mjs reads it).
  if (canPay && performance.getEntriesByName("paygraph:checkout-ready").length === 0) performance.mark("paygraph:checkout-ready");

  $("bank").hidden = true;
  if (session.status === "COMPLETE") {
    announce(null);
    say(t.paid, true);
    return leave(session.successUrl);
  }
  if (session.status === "EXPIRED") return say(t.expired);
  switch (session.paymentStatus) {
    case "PROCESSING":
      return say(t.processing);
    case "REQUIRES_ACTION": {
      // To the bank at once only from the try this page made; a reload, the Back button or a
      // second tab offers the way instead (never a loop between this page and the challenge).
      const bank = $<HTMLAnchorElement>("bank");
      if (session.nextAction && paying) {
        say(t.verifying);
        return leave(session.nextAction.redirectUrl);
      }
      say(t.verificationPending);
      bank.hidden = !session.nextAction;
      if (session.nextAction) bank.href = session.nextAction.redirectUrl;
      return;
    }
    case "REQUIRES_REVIEW":
      return say(t.inReview);
    case "FAILED":
      return say(t.failed);
    case "CANCELED":
      return say(t.canceled);
    case "REQUIRES_PAYMENT_METHOD":
      say("");
      if (session.lastPaymentError) {
        announce(failureText(t, session.lastPaymentError));
        if (paying) fields.inputs.number.focus();
      }
      paying = false;
  }
}

async function pay(client: Client, event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (!current || submit.disabled) return;
  const card = fields.read(t);
  if (!card) return announce(t.fixErrors);
  announce(null);
  paying = true;
  submit.disabled = true;
  // Focus moves to the status line rather than falling to the page when the button is disabled.
  say(t.processing);
  statusLine.focus();
  const input = { id: sessionId, card, idempotencyKey: crypto.randomUUID() };
  const refused = (): void => {
    paying = false;
    announce(t.tryAgain);
    if (current) render({ ...current });
    submit.disabled = false;
  };
  try {
    for await (const result of client.iterate<{ payCheckoutSession: { checkoutSession: Session } }>({ query: PAY, variables: { input } })) {
      if (result.data) render(result.data.payCheckoutSession.checkoutSession);
      else refused();
    }
  } catch {
    refused(); // refused by the server (a rate limit) or the connection dropped: the shopper may try again
  }
}

async function start(): Promise<void> {
  setLocale(document.documentElement.lang === "ar" ? "ar" : "en");
  if (!sessionId || !secret) {
    $("checkout").setAttribute("aria-busy", "false");
    return say(t.unknownSession);
  }
  const client = createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
    connectionParams: { authorization: `Bearer ${secret}` },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: { closed: () => !leaving && say(t.connection) },
  });
  form.addEventListener("submit", (event) => void pay(client, event));
  // The session as it changes, starting with how it is now; after a reconnect the subscription
  // starts again with the current state, so nothing is missed.
  for (;;) {
    try {
      for await (const result of client.iterate<{ checkoutSessionUpdated: Session }>({ query: FOLLOW, variables: { id: sessionId } })) {
        if (result.data) render(result.data.checkoutSessionUpdated);
        else if (!current) return say(t.unknownSession);
      }
    } catch {
      // refused or cut off: follow again in a moment (the subscription starts with the session as it is)
    }
    if (leaving) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

void start();
