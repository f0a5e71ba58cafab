// The dashboard's Settings (/dashboard/settings/…) in Chromium, through the real server: a
// DEVELOPER creates a RESTRICTED key whose secret, shown once, works against the API with exactly
// its scopes, rolls it (the new secret works, the old one is refused) and revokes it (refused);
// a webhook endpoint added at 375 px exists in the API; an ANALYST is offered no change and no
// tab it cannot read; an OWNER invites a user (seen by the API's `invitations`) and withdraws the
// invitation. Every page: no CSP violation, no request leaving the server, no serious axe-core
// violation. One server, one browser; screenshots go to test/artifacts/dashboard/settings-*.png.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import * as dashboard from "../support/dashboard-browser.js";
import { noHorizontalOverflow, noSeriousViolations, recordRequests, shot, startDashboardServer, type DashboardServer, type Session } from "../support/dashboard-browser.js";
import { errorCode, gql, ok, type Stack } from "../support/stack.js";
import { uniqueEmail, userWithRole, type MerchantWithOwner } from "../support/users.js";

const server = {} as { stack: Stack; url: string };
let browser: Browser;
let merchant: MerchantWithOwner;
let owner: Session;
let developer: Session;
let analyst: Session;

let started: DashboardServer;

beforeAll(async () => {
  started = await startDashboardServer();
  ({ stack: server.stack, url: server.url, browser, merchant, owner } = started);
  const [dev, ana] = await Promise.all([userWithRole(server.url, owner.token, "DEVELOPER"), userWithRole(server.url, owner.token, "ANALYST")]);
  [developer, analyst] = await Promise.all([dashboard.apiSignIn(server.url, dev.email), dashboard.apiSignIn(server.url, ana.email)]);
});
afterAll(async () => {
  await started?.close();
});

/** A signed-in page at `path`, recording its requests and GraphQL operations. */
async function open(session: Session, path: string, width = 1280): Promise<{ page: Page; seen: ReturnType<typeof recordRequests>; operations: string[] }> {
  const context = await dashboard.signedIn(browser, session, server.url, width);
  const page = await context.newPage();
  const seen = recordRequests(page);
  const operations: string[] = [];
  page.on("request", (r) => r.method() === "POST" && r.url().endsWith("/graphql") && operations.push(/(?:query|mutation) (\w+)/.exec(r.postData() ?? "")?.[1] ?? "?"));
  page.on("pageerror", (err) => seen.blocked.push(`page error: ${err.message}`));
  await page.goto(`${server.url}${path}`);
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  return { page, seen, operations };
}

/** Nothing left the server, the CSP blocked nothing and no script failed. */
function stayedHome(seen: ReturnType<typeof recordRequests>): void {
  expect(seen.requests.filter((u) => !u.startsWith(server.url) && !u.startsWith("data:"))).toEqual([]);
  expect(seen.blocked).toEqual([]);
}

const call = (key: string, query: string) => gql(server.url, query, {}, { key });
const PAYMENTS = "{ payments(first: 1) { nodes { id } } }";
const ENDPOINTS = "{ webhookEndpoints(first: 1) { nodes { id } } }";

/** The secret the page shows once, after checking it says so. */
async function shownSecret(page: Page): Promise<string> {
  const region = page.getByRole("region", { name: /created|rolled|added/ });
  await region.waitFor();
  expect(await region.textContent()).toContain("you will not see it again");
  return region.getByRole("textbox").inputValue();
}

describe("Settings in Chromium", () => {
  it("a DEVELOPER creates a RESTRICTED key that holds exactly its scopes, rolls it and revokes it", async () => {
    const { page, seen } = await open(developer, "/dashboard/settings/api-keys");
    expect(await page.getByRole("link", { name: "API keys" }).getAttribute("aria-current")).toBe("page");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Reporting");
    await page.getByLabel("Restricted").check();
    await page.getByLabel("payments:read", { exact: true }).check();
    await noSeriousViolations(page);
    await shot(page, "settings-api-key-form-1280");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await shownSecret(page);
    expect(secret).toMatch(/^rk_test_/);
    await noSeriousViolations(page);
    await shot(page, "settings-api-key-secret-1280");
    ok(await call(secret, PAYMENTS));
    const refused = await call(secret, ENDPOINTS);
    expect([errorCode(refused), refused.errors?.[0]?.extensions?.missingScope]).toEqual(["FORBIDDEN", "webhooks:read"]);
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    const label = `Reporting (…${secret.slice(-4)})`;

    // Roll with no grace: the new secret works, the old one is refused at once.
    await page.getByRole("button", { name: `Roll ${label}` }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.textContent()).toContain("The old key keeps working for the time you choose");
    await dialog.getByLabel("The old key keeps working for").selectOption("0");
    await dialog.getByRole("button", { name: "Roll key" }).click();
    const rolled = await shownSecret(page);
    expect(rolled).not.toBe(secret);
    ok(await call(rolled, PAYMENTS));
    expect(errorCode(await call(secret, PAYMENTS))).toBe("UNAUTHENTICATED");
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await noSeriousViolations(page);
    await shot(page, "settings-api-keys-1280");

    await page.getByRole("button", { name: `Revoke Reporting (…${rolled.slice(-4)})` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
    expect(errorCode(await call(rolled, PAYMENTS))).toBe("UNAUTHENTICATED");
    stayedHome(seen);
    await page.context().close();
  });

  it("at 375 px: a webhook endpoint added in the page exists in the API, and nothing scrolls sideways", async () => {
    const { page, seen } = await open(developer, "/dashboard/settings/webhooks", 375);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const url = `http://127.0.0.1:9/hooks/${Date.now()}`;
    await page.getByLabel("URL").fill(url);
    await page.getByLabel("Description (optional)").fill("Order system");
    await page.getByLabel("payment.captured", { exact: true }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    expect(await shownSecret(page)).toMatch(/^whsec_/);
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await page.locator("tbody tr", { hasText: url }).waitFor();
    const { webhookEndpoints } = ok(await gql(server.url, "{ webhookEndpoints(first: 100) { nodes { url events description enabled } } }", {}, { key: merchant.secretKey })) as
      { webhookEndpoints: { nodes: { url: string; events: string[]; description: string; enabled: boolean }[] } };
    expect(webhookEndpoints.nodes.find((e) => e.url === url)).toEqual({ url, events: ["payment.captured"], description: "Order system", enabled: true });
    expect(await noHorizontalOverflow(page)).toBe(true);
    await noSeriousViolations(page);
    await shot(page, "settings-375");
    await page.goto(`${server.url}/dashboard/settings/api-keys`);
    await page.getByRole("region", { name: "API keys table" }).waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await shot(page, "settings-api-keys-375");
    stayedHome(seen);
    await page.context().close();
  });

  it("an ANALYST is offered no change and no tab it cannot read", async () => {
    const { page, seen, operations } = await open(analyst, "/dashboard/settings");
    await page.waitForURL(/\/dashboard\/settings\/webhooks$/);
    const tabs = page.getByRole("navigation", { name: "Settings" });
    expect(await tabs.getByRole("link").allTextContents()).toEqual(["Webhook endpoints", "Users and invitations"]);
    await page.getByRole("region", { name: "Webhook endpoints table" }).waitFor();
    expect(await page.getByRole("button", { name: /Add endpoint|Roll|Delete|Switch/ }).count()).toBe(0);
    await page.goto(`${server.url}/dashboard/settings/users`);
    await page.getByRole("region", { name: "Users table" }).waitFor();
    expect(await page.getByRole("columnheader").allTextContents()).toEqual(["Name", "Role", "Since"]);
    expect(await page.getByRole("button", { name: /Invite|Change role|Remove|Withdraw/ }).count()).toBe(0);
    await noSeriousViolations(page);
    await shot(page, "settings-users-analyst-1280");
    // A shared link to a tab the role cannot read says so, and asks the API nothing about it.
    await page.goto(`${server.url}/dashboard/settings/api-keys`);
    await page.getByText("Your role (analyst) may not see API keys.").waitFor();
    expect(operations.filter((o) => /ApiKey|Team|Invit/.test(o))).toEqual([]);
    stayedHome(seen);
    await page.context().close();
  });

  it("an OWNER invites a user (the API lists the invitation) and withdraws the invitation", async () => {
    const { page, seen } = await open(owner, "/dashboard/settings/users");
    await page.getByRole("button", { name: "Invite user" }).click();
    expect(await page.getByLabel("Role", { exact: true }).locator("option").allTextContents()).toEqual(["Owner", "Admin", "Developer", "Analyst", "Support"]);
    const email = uniqueEmail("invited");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Name", { exact: true }).fill("New Support");
    await page.getByLabel("Role", { exact: true }).selectOption("SUPPORT");
    await page.getByRole("button", { name: "Create invitation" }).click();
    expect(await shownSecret(page)).toMatch(/^pgi_/);
    const invitations = async () => (ok(await gql(server.url, "{ invitations(first: 100) { nodes { email role } } }", {}, { key: owner.token })) as
      { invitations: { nodes: { email: string; role: string }[] } }).invitations.nodes;
    expect((await invitations()).find((i) => i.email === email)).toEqual({ email, role: "SUPPORT" });
    await page.getByRole("button", { name: "Done, I have stored it" }).click();
    await noSeriousViolations(page);
    await shot(page, "settings-users-1280");
    await page.getByRole("button", { name: `Withdraw the invitation for ${email}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Withdraw invitation" }).click();
    await page.getByRole("status").filter({ hasText: "withdrawn" }).waitFor();
    expect((await invitations()).map((i) => i.email)).not.toContain(email);
    stayedHome(seen);
    await page.context().close();
  });
});
