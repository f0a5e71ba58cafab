// Merchant users (issue #4 item 3): invite → accept → sign in → the session token on /graphql and
// over graphql-ws; one answer for a wrong email or password; throttled failures; removal and role
// changes taking effect at once; the role rules (last OWNER included); scrypt strings in the DB.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AcceptInvitationDocument, CreatePaymentDocument, InvitationsDocument, InviteUserDocument, MeDocument, RevokeInvitationDocument, PaymentUpdatedDocument, PaymentsDocument, RemoveUserDocument,
  SignInDocument, SignOutDocument, UpdateUserRoleDocument, UsersDocument, UsersWithEmailDocument,
} from "../../client/src/generated/graphql.js";
import { createStack, errorCode, eventually, gql, ok, subscribe, wsClient, type GqlResult, type Stack } from "../support/stack.js";
import { PASSWORD, merchantWithOwner, signIn, uniqueEmail, userWithRole, type MerchantWithOwner } from "../support/users.js";

let stack: Stack;
let url: string;
let db: pg.Client;
let merchant: MerchantWithOwner;
let owner: string; // the OWNER's session token

beforeAll(async () => {
  stack = await createStack({ SIGNIN_FAILURES_PER_EMAIL: "3" });
  url = (await stack.start(["start", "--role", "all", "--port", "0"])).url;
  merchant = await merchantWithOwner(stack);
  owner = await signIn(url, merchant.ownerEmail);
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
});

const problem = (r: GqlResult<unknown>) => ({ code: errorCode(r), ...r.errors?.[0]?.extensions });

describe("invitation, sign-in and the session token", () => {
  it("invites, accepts, signs in, and the session works on /graphql and over graphql-ws", async () => {
    const email = uniqueEmail("Dev.Person").toUpperCase();
    const invited = ok(await gql(url, InviteUserDocument, { input: { email: `  ${email} `, role: "DEVELOPER", name: "Dev" } }, { key: owner })).inviteUser;
    expect(invited.inviteToken).toMatch(/^pgi_[0-9A-Za-z]{43}$/);
    expect(invited.invitation).toMatchObject({ email: email.toLowerCase(), role: "DEVELOPER", invitedBy: merchant.ownerUserId, acceptedAt: null });

    const accepted = ok(await gql(url, AcceptInvitationDocument, { input: { token: invited.inviteToken, password: PASSWORD } })).acceptInvitation;
    expect(accepted.user).toMatchObject({ email: email.toLowerCase(), role: "DEVELOPER", merchantId: merchant.merchantId, name: "Dev" });
    expect(accepted.session.token).toMatch(/^pgs_[0-9A-Za-z]{43}$/);
    // An invitation is used once.
    expect(errorCode(await gql(url, AcceptInvitationDocument, { input: { token: invited.inviteToken, password: PASSWORD } }))).toBe("UNAUTHENTICATED");

    // Sign-in takes the email however it is typed.
    const signedIn = ok(await gql(url, SignInDocument, { input: { email: email.toLowerCase(), password: PASSWORD } })).signIn;
    const expiresIn = Date.parse(signedIn.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(11 * 3600 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(12 * 3600 * 1000);
    const token = signedIn.token;
    expect(ok(await gql(url, MeDocument, {}, { key: token })).me).toMatchObject({ userId: accepted.user.userId, role: "DEVELOPER", email: email.toLowerCase() });
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "5.00", currency: "EUR" } }, { key: token })).createPayment.payment;
    expect(ok(await gql(url, PaymentsDocument, { first: 5 }, { key: token })).payments.edges.map((e) => e.node.id)).toContain(payment.id);

    const client = wsClient(url, token);
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId: payment.id });
    const first = await live.until((e) => e.paymentUpdated.id === payment.id);
    expect(first.paymentUpdated.status).toBe("REQUIRES_PAYMENT_METHOD");
    expect(live.errors).toEqual([]);
    await client.dispose();

    // Signing out revokes this session only.
    expect(ok(await gql(url, SignOutDocument, {}, { key: token })).signOut.revoked).toBe(true);
    expect(errorCode(await gql(url, MeDocument, {}, { key: token }))).toBe("UNAUTHENTICATED");
    ok(await gql(url, MeDocument, {}, { key: accepted.session.token }));
  });

  it("answers a wrong password and an unknown email alike", async () => {
    const wrongPassword = await gql(url, SignInDocument, { input: { email: merchant.ownerEmail, password: "not the password at all" } });
    const unknownEmail = await gql(url, SignInDocument, { input: { email: uniqueEmail("nobody"), password: PASSWORD } });
    expect(errorCode(wrongPassword)).toBe("UNAUTHENTICATED");
    expect(unknownEmail.errors).toEqual(wrongPassword.errors?.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: unknownEmail.errors?.[0]?.extensions?.requestId } })));
    expect(wrongPassword.data).toBeNull();
    await signIn(url, merchant.ownerEmail); // a success clears the email's failure count
  });

  it("refuses bad input with a typed error and writes nothing", async () => {
    const { inviteToken } = ok(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("short"), role: "ANALYST", name: "Short" } }, { key: owner })).inviteUser;
    const before = (await db.query("SELECT count(*)::int AS n FROM merchant_user")).rows[0].n as number;
    expect(problem(await gql(url, AcceptInvitationDocument, { input: { token: inviteToken, password: "short" } }))).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    expect(problem(await gql(url, AcceptInvitationDocument, { input: { token: inviteToken, password: "x".repeat(129) } }))).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    expect(errorCode(await gql(url, AcceptInvitationDocument, { input: { token: "pgi_nope", password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    expect(problem(await gql(url, InviteUserDocument, { input: { email: "not-an-email", role: "ANALYST", name: "X" } }, { key: owner }))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(problem(await gql(url, InviteUserDocument, { input: { email: merchant.ownerEmail, role: "ANALYST", name: "X" } }, { key: owner }))).toMatchObject({ code: "CONFLICT" });
    expect((await db.query("SELECT count(*)::int AS n FROM merchant_user")).rows[0].n).toBe(before);
    // The invitation is still good after the refused attempts.
    ok(await gql(url, AcceptInvitationDocument, { input: { token: inviteToken, password: PASSWORD } }));
  });
});

describe("open invitations", () => {
  it("lists open invitations and withdraws one, within the role rules", async () => {
    const admin = await userWithRole(url, owner, "ADMIN");
    const forAdmin = ok(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("a2"), role: "ADMIN", name: "A2" } }, { key: owner })).inviteUser;
    const forSupport = ok(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("s2"), role: "SUPPORT", name: "S2" } }, { key: owner })).inviteUser;
    const open = ok(await gql(url, InvitationsDocument, {}, { key: admin.token })).invitations.nodes.map((i) => i.id);
    expect(open).toEqual(expect.arrayContaining([forAdmin.invitation.id, forSupport.invitation.id]));
    expect(problem(await gql(url, RevokeInvitationDocument, { input: { id: forAdmin.invitation.id } }, { key: admin.token }))).toMatchObject({ code: "FORBIDDEN", role: "ADMIN" });
    expect(ok(await gql(url, RevokeInvitationDocument, { input: { id: forSupport.invitation.id } }, { key: admin.token })).revokeInvitation.invitation.revokedAt).not.toBeNull();
    expect(errorCode(await gql(url, RevokeInvitationDocument, { input: { id: forSupport.invitation.id } }, { key: admin.token }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(url, AcceptInvitationDocument, { input: { token: forSupport.inviteToken, password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    expect(ok(await gql(url, InvitationsDocument, {}, { key: owner })).invitations.nodes.map((i) => i.id)).not.toContain(forSupport.invitation.id);
  });
});

describe("throttling failed sign-ins", () => {
  it("refuses an email after its failures, even with the right password, naming the wait", async () => {
    const { email } = await userWithRole(url, owner, "SUPPORT");
    for (let i = 0; i < 3; i++) expect(errorCode(await gql(url, SignInDocument, { input: { email, password: "wrong password " + i } }))).toBe("UNAUTHENTICATED");
    const refused = await gql(url, SignInDocument, { input: { email, password: PASSWORD } });
    expect(errorCode(refused)).toBe("RATE_LIMITED");
    expect(refused.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    // Another email from the same address is not affected by this one's count.
    await signIn(url, merchant.ownerEmail);
  });

  it("counts parallel guesses before checking them: no burst slips past the limit", async () => {
    const { email } = await userWithRole(url, owner, "SUPPORT");
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => gql(url, SignInDocument, { input: { email, password: `parallel guess ${i}` } })));
    const codes = answers.map(errorCode);
    expect(codes.filter((c) => c === "UNAUTHENTICATED").length).toBe(3);
    expect(codes.filter((c) => c === "RATE_LIMITED").length).toBe(7);
  });

  it("refuses an IP after its failures across emails", async () => {
    // Its own process and Redis prefix, so this file's other sign-ins do not share the IP's count.
    const api = await stack.start(["start", "--role", "api", "--port", "0"], { SIGNIN_FAILURES_PER_IP: "2", REDIS_PREFIX: `${stack.env.REDIS_PREFIX}_ip`, GATEWAY_URL: "http://127.0.0.1:9" });
    for (const tag of ["a", "b"]) expect(errorCode(await gql(api.url, SignInDocument, { input: { email: uniqueEmail(tag), password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(api.url, SignInDocument, { input: { email: merchant.ownerEmail, password: PASSWORD } }))).toBe("RATE_LIMITED");
    await api.stop();
  });
});

describe("rate limits", () => {
  it("counts all of a user's sessions on one budget: signing in again buys nothing", async () => {
    const api = await stack.start(["start", "--role", "api", "--port", "0"], { RATE_LIMIT_PER_SECOND: "3", REDIS_PREFIX: `${stack.env.REDIS_PREFIX}_rl`, GATEWAY_URL: "http://127.0.0.1:9" });
    const analyst = await userWithRole(url, owner, "ANALYST");
    const second = await signIn(url, analyst.email);
    const burst = (token: string) => Promise.all(Array.from({ length: 8 }, () => gql(api.url, MeDocument, {}, { key: token })));
    const results = (await Promise.all([burst(analyst.token), burst(second)])).flat();
    // 16 requests on two sessions of one user: at most two one-second windows' worth (2 × 3) pass.
    expect(results.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(6);
    expect(results.some((r) => errorCode(r) === "RATE_LIMITED")).toBe(true);
    await api.stop();
  });
});

describe("removal and role changes take effect at once", () => {
  it("refuses a removed user's token on the next request, and their sign-in", async () => {
    const analyst = await userWithRole(url, owner, "ANALYST");
    const second = await signIn(url, analyst.email);
    ok(await gql(url, MeDocument, {}, { key: analyst.token }));
    // A subscription running at the time of removal is closed too (on every api process).
    const payment = ok(await gql(url, CreatePaymentDocument, { input: { amount: "2.00", currency: "EUR" } }, { key: merchant.secretKey })).createPayment.payment;
    const runningClient = wsClient(url, analyst.token);
    const running = subscribe(runningClient, PaymentUpdatedDocument, { paymentId: payment.id });
    await running.until((e) => e.paymentUpdated.id === payment.id);
    const removed = ok(await gql(url, RemoveUserDocument, { input: { id: analyst.id } }, { key: owner })).removeUser.user;
    expect(removed.disabledAt).not.toBeNull();
    for (const token of [analyst.token, second]) expect(errorCode(await gql(url, PaymentsDocument, { first: 1 }, { key: token }))).toBe("UNAUTHENTICATED");
    await eventually(async () => running.errors.length, (n) => n > 0);
    expect((running.errors[0] as { code?: number }).code).toBe(4403);
    await runningClient.dispose();
    const client = wsClient(url, analyst.token);
    const live = subscribe(client, PaymentUpdatedDocument, {});
    await eventually(async () => live.errors.length, (n) => n > 0);
    expect(JSON.stringify(live.errors)).toContain("UNAUTHENTICATED");
    await client.dispose();
    expect(errorCode(await gql(url, SignInDocument, { input: { email: analyst.email, password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    const sessions = await db.query("SELECT revoked_at FROM user_session WHERE user_id = $1", [analyst.id]);
    expect(sessions.rows.every((r) => r.revoked_at !== null)).toBe(true);
  });

  it("applies a new role to an existing session", async () => {
    const admin = await userWithRole(url, owner, "ADMIN");
    ok(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("x"), role: "SUPPORT", name: "X" } }, { key: admin.token }));
    ok(await gql(url, UpdateUserRoleDocument, { input: { id: admin.id, role: "ANALYST" } }, { key: owner }));
    expect(problem(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("y"), role: "SUPPORT", name: "Y" } }, { key: admin.token })))
      .toMatchObject({ code: "FORBIDDEN", missingScope: "users:manage" });
  });
});

describe("role rules", () => {
  it("lets an ADMIN manage DEVELOPER, ANALYST and SUPPORT only", async () => {
    const admin = await userWithRole(url, owner, "ADMIN");
    const otherAdmin = await userWithRole(url, owner, "ADMIN");
    for (const role of ["OWNER", "ADMIN"] as const) {
      expect(problem(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("z"), role, name: "Z" } }, { key: admin.token }))).toMatchObject({ code: "FORBIDDEN", role });
    }
    const dev = await userWithRole(url, admin.token, "DEVELOPER");
    expect(ok(await gql(url, UpdateUserRoleDocument, { input: { id: dev.id, role: "SUPPORT" } }, { key: admin.token })).updateUserRole.user.role).toBe("SUPPORT");
    expect(errorCode(await gql(url, UpdateUserRoleDocument, { input: { id: dev.id, role: "ADMIN" } }, { key: admin.token }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(url, UpdateUserRoleDocument, { input: { id: merchant.ownerUserId, role: "ANALYST" } }, { key: admin.token }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(url, RemoveUserDocument, { input: { id: otherAdmin.id } }, { key: admin.token }))).toBe("FORBIDDEN");
    expect(errorCode(await gql(url, RemoveUserDocument, { input: { id: merchant.ownerUserId } }, { key: admin.token }))).toBe("FORBIDDEN");
    ok(await gql(url, RemoveUserDocument, { input: { id: dev.id } }, { key: admin.token }));
    // Only OWNER and ADMIN manage people; an API key never does.
    const analyst = await userWithRole(url, owner, "ANALYST");
    expect(problem(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("w"), role: "SUPPORT", name: "W" } }, { key: analyst.token }))).toMatchObject({ code: "FORBIDDEN", missingScope: "users:manage" });
    expect(problem(await gql(url, InviteUserDocument, { input: { email: uniqueEmail("k"), role: "SUPPORT", name: "K" } }, { key: merchant.secretKey }))).toMatchObject({ code: "FORBIDDEN", missingScope: "users:manage" });
    expect(problem(await gql(url, MeDocument, {}, { key: merchant.secretKey }))).toMatchObject({ code: "FORBIDDEN", missingScope: "users:read" });
  });

  it("shows emails to managers only", async () => {
    const analyst = await userWithRole(url, owner, "ANALYST");
    const team = ok(await gql(url, UsersDocument, {}, { key: analyst.token })).users.nodes;
    expect(team.map((u) => u.id)).toEqual(expect.arrayContaining([merchant.ownerUserId, analyst.id]));
    const withEmail = await gql(url, UsersWithEmailDocument, {}, { key: analyst.token });
    expect(problem(withEmail)).toMatchObject({ code: "FORBIDDEN", missingScope: "users:manage" });
    expect(withEmail.data?.users.nodes.every((u) => u.email === null)).toBe(true);
    expect(ok(await gql(url, UsersWithEmailDocument, {}, { key: owner })).users.nodes.find((u) => u.id === analyst.id)?.email).toBe(analyst.email);
  });

  it("keeps the last OWNER: neither removed nor demoted, also when two owners act at once", async () => {
    const m = await merchantWithOwner(stack);
    const first = await signIn(url, m.ownerEmail);
    expect(problem(await gql(url, UpdateUserRoleDocument, { input: { id: m.ownerUserId, role: "ADMIN" } }, { key: first }))).toMatchObject({ code: "CONFLICT", reason: "LAST_OWNER" });
    expect(problem(await gql(url, RemoveUserDocument, { input: { id: m.ownerUserId } }, { key: first }))).toMatchObject({ code: "CONFLICT", reason: "LAST_OWNER" });
    const second = await userWithRole(url, first, "OWNER");
    // Each demotes the other at the same moment: one wins, the merchant keeps an owner.
    const results = await Promise.all([
      gql(url, UpdateUserRoleDocument, { input: { id: second.id, role: "ADMIN" } }, { key: first }),
      gql(url, UpdateUserRoleDocument, { input: { id: m.ownerUserId, role: "ADMIN" } }, { key: second.token }),
    ]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    const owners = await db.query("SELECT id FROM merchant_user WHERE merchant_id = $1 AND role = 'OWNER' AND disabled_at IS NULL", [m.merchantId]);
    expect(owners.rows.length).toBe(1);
    // Another merchant's user is NOT_FOUND.
    expect(errorCode(await gql(url, RemoveUserDocument, { input: { id: merchant.ownerUserId } }, { key: first }))).toBe("NOT_FOUND");
  });
});

describe("storage and audit", () => {
  it("stores scrypt strings with their parameters, and audits without secrets or emails", async () => {
    const hashes = (await db.query("SELECT password_hash FROM merchant_user")).rows.map((r) => r.password_hash as string);
    expect(hashes.length).toBeGreaterThan(3);
    for (const h of hashes) expect(h).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(new Set(hashes).size).toBe(hashes.length); // per-hash salts: one password, different strings
    const tokenHashes = (await db.query("SELECT token_hash FROM user_session")).rows.map((r) => r.token_hash as string);
    expect(tokenHashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);

    const audit = await db.query("SELECT action, actor, before, after FROM audit_record WHERE merchant_id = $1", [merchant.merchantId]);
    const actions = new Set(audit.rows.map((r) => r.action));
    for (const a of ["user.created", "user_invitation.created", "user_invitation.accepted", "session.created", "session.revoked", "user.removed", "user.role_changed", "user_invitation.revoked"]) expect(actions).toContain(a);
    const text = JSON.stringify(audit.rows);
    expect(text).not.toMatch(/scrypt|pgs_|pgi_|password/i);
    // Nor emails: the log is readable with `admin`, emails only with `users:manage`.
    expect(text).not.toMatch(/@example\.test/);
    expect(audit.rows.find((r) => r.action === "user.created" && r.actor === "cli")).toBeDefined();
  });
});

describe("command line", () => {
  it("refuses a bad owner before writing the merchant", async () => {
    const before = (await db.query("SELECT count(*)::int AS n FROM merchant")).rows[0].n as number;
    await expect(merchantWithOwner(stack, uniqueEmail("weak"), "short")).rejects.toThrow(/at least 12 characters/);
    await expect(merchantWithOwner(stack, merchant.ownerEmail)).rejects.toThrow(/exists already/);
    expect((await db.query("SELECT count(*)::int AS n FROM merchant")).rows[0].n).toBe(before);
  });

  it("prints the demo merchant's owner, who can sign in", async () => {
    const demo = await createStack({ SEED_DEMO_MERCHANT: "true" });
    try {
      const role = await demo.start(["start", "--role", "all", "--port", "0"]);
      // The banner may arrive in more than one chunk after the "listening" line.
      const line = await eventually(async () => /Demo owner\s+(\S+) \/ (\S+)/.exec(role.output.join("\n")), (m) => m !== null);
      expect(line).not.toBeNull();
      const token = await signIn(role.url, line![1]!, line![2]!);
      expect(ok(await gql(role.url, MeDocument, {}, { key: token })).me.role).toBe("OWNER");
    } finally {
      await demo.close();
    }
  });
});
