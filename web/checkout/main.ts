// The hosted checkout page. It holds no API key: its credential is the session's client secret,
// carried in the URL's fragment (never sent to a server, never in a Referer) and kept in this
// tab's sessionStorage for the way back from 3-D Secure. Everything goes over one graphql-ws
// connection: the session as it changes (a subscription, not polling), and the payment itself.
import { createClient, type Client } from "graphql-ws/client";
import { failureText, formatAmount, messages, type Locale, type Messages } from "./i18n.js";

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
const inputs = { number: $<HTMLInputElement>("number"), expiry: $<HTMLInputElement>("expiry"), cvc: $<HTMLInputElement>("cvc") };

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
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash.startsWith(`${sessionId}_secret_`)) {
    sessionStorage.setItem(key, fromHash);
    history.replaceState(null, "", location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(key);
}

function setLocale(locale: Locale): void {
  t = messages[locale] ?? messages.en;
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === "ar" ? "rtl" : "ltr";
  document.title = t.title;
  $("title").textContent = t.title;
  $("number-label").textContent = t.number;
  $("expiry-label").textContent = t.expiry;
  $("cvc-label").textContent = t.cvc;
  inputs.expiry.placeholder = t.expiryPlaceholder;
  $("cancel").textContent = t.cancel;
}

function say(text: string, done = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle("done", done);
}

function announce(text: string | null): void {
  alertBox.hidden = !text;
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
  for (const input of Object.values(inputs)) input.disabled = !canPay;

  if (session.status === "COMPLETE") {
    announce(null);
    say(t.paid, true);
    return leave(session.successUrl);
  }
  if (session.status === "EXPIRED") return say(t.expired);
  switch (session.paymentStatus) {
    case "PROCESSING":
      return say(t.processing);
    case "REQUIRES_ACTION":
      say(t.verifying);
      if (session.nextAction) leave(session.nextAction.redirectUrl);
      return;
    case "FAILED":
      return say(t.failed);
    case "CANCELED":
      return say(t.canceled);
    case "REQUIRES_PAYMENT_METHOD":
      say("");
      if (session.lastPaymentError) {
        announce(failureText(t, session.lastPaymentError));
        if (paying) inputs.number.focus();
      }
      paying = false;
  }
}

/** MM/YY or MM/YYYY, this month or later. */
function parseExpiry(text: string): { expMonth: number; expYear: number } | undefined {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const expMonth = Number(m[1]);
  const expYear = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  const now = new Date();
  if (expMonth < 1 || expMonth > 12 || expYear < now.getFullYear() || (expYear === now.getFullYear() && expMonth < now.getMonth() + 1)) return undefined;
  return { expMonth, expYear };
}

function fieldError(name: keyof typeof inputs, text: string | null): boolean {
  const input = inputs[name];
  const error = $(`${name}-error`);
  input.setAttribute("aria-invalid", text ? "true" : "false");
  error.hidden = !text;
  error.textContent = text ?? "";
  return !text;
}

async function pay(client: Client, event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (!current || submit.disabled) return;
  const number = inputs.number.value.replace(/[\s-]/g, "");
  const expiry = parseExpiry(inputs.expiry.value);
  const cvc = inputs.cvc.value.trim();
  const ok = [
    fieldError("number", /^\d{12,19}$/.test(number) ? null : t.numberInvalid),
    fieldError("expiry", expiry ? null : t.expiryInvalid),
    fieldError("cvc", /^\d{3,4}$/.test(cvc) ? null : t.cvcInvalid),
  ];
  if (ok.includes(false)) {
    announce(t.fixErrors);
    (Object.values(inputs).find((i) => i.getAttribute("aria-invalid") === "true") ?? inputs.number).focus();
    return;
  }
  announce(null);
  paying = true;
  submit.disabled = true;
  say(t.processing);
  const input = { id: sessionId, card: { number, ...expiry!, cvc }, idempotencyKey: crypto.randomUUID() };
  for await (const result of client.iterate<{ payCheckoutSession: { checkoutSession: Session } }>({ query: PAY, variables: { input } })) {
    if (result.data) render(result.data.payCheckoutSession.checkoutSession);
    else {
      paying = false;
      announce(t.tryAgain);
      if (current) render(current);
    }
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
    for await (const result of client.iterate<{ checkoutSessionUpdated: Session }>({ query: FOLLOW, variables: { id: sessionId } })) {
      if (result.data) render(result.data.checkoutSessionUpdated);
      else if (!current) return say(t.unknownSession);
    }
    if (leaving) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

void start();
