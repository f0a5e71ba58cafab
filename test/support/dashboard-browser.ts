// What every dashboard e2e file (test/e2e/dashboard*.test.ts) does in Chromium: launch Debian's
// Chromium, open a context already signed in (the app keeps its session in localStorage), record
// the requests a page makes and the CSP violations it reports, run axe-core, save screenshots into
// test/artifacts/dashboard/, and check for horizontal overflow at narrow widths.
import { mkdirSync } from "node:fs";
import { expect } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { createStack, gql, ok, type Stack } from "./stack.js";
import { PASSWORD, merchantWithOwner, type MerchantWithOwner } from "./users.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const ARTIFACTS = new URL("../artifacts/dashboard/", import.meta.url);
const SIGN_IN = "mutation($input: SignInInput!) { signIn(input: $input) { token expiresAt user { userId merchantId name email role scopes } } }";
/** The dashboard's localStorage key (web/dashboard/api/session.ts). */
export const SESSION_KEY = "paygraph:dashboard:session";

export interface Session { token: string; expiresAt: string; user: { role: string; scopes: string[] } }

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export const apiSignIn = async (url: string, email: string): Promise<Session> =>
  (ok(await gql(url, SIGN_IN, { input: { email, password: PASSWORD } })) as { signIn: Session }).signIn;

/** A browser context already signed in as `session` at `origin` (the server's URL). */
export async function signedIn(browser: Browser, session: Session, origin: string, width = 1280): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  await context.addInitScript(({ stored, at, key }) => {
    if (location.origin === at && !localStorage.getItem(key)) localStorage.setItem(key, stored);
  }, { stored: JSON.stringify(session), at: origin, key: SESSION_KEY });
  return context;
}

/** Every request a page makes (none may leave paygraph), and every CSP violation it reports (none may happen). */
export function recordRequests(page: Page): { requests: string[]; blocked: string[] } {
  const seen = { requests: [] as string[], blocked: [] as string[] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("console", (m) => m.text().includes("Content Security Policy") && seen.blocked.push(m.text()));
  return seen;
}

export async function noSeriousViolations(page: Page, only?: string): Promise<void> {
  const { violations } = await (only ? new AxeBuilder({ page }).include(only) : new AxeBuilder({ page })).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

export const shot = (page: Page, name: string) => page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
export const noHorizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

export interface DashboardServer {
  stack: Stack;
  url: string;
  browser: Browser;
  merchant: MerchantWithOwner;
  /** The merchant's OWNER, signed in through the API. */
  owner: Session;
  /** Whatever `alongside` started (a second gateway, say), in its order. */
  alongside: unknown[];
  close(): Promise<void>;
}

/**
 * What every dashboard e2e file starts from, started at once (the file's budget is mostly this):
 * one server (api, worker and sandbox gateway in one process), one Chromium, and a merchant with
 * its OWNER, signed in. `alongside` starts more in the same breath.
 */
export async function startDashboardServer(alongside: (stack: Stack) => Promise<unknown>[] = () => []): Promise<DashboardServer> {
  const stack = await createStack();
  const [started, browser, merchant, ...others] = await Promise.all([
    stack.start(["start", "--role", "all", "--port", "0"]),
    launchChromium(),
    merchantWithOwner(stack),
    ...alongside(stack),
  ]);
  const owner = await apiSignIn(started.url, merchant.ownerEmail);
  return {
    stack, url: started.url, browser, merchant, owner, alongside: others,
    close: async () => {
      await browser.close();
      await stack.close();
    },
  };
}
