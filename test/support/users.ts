// Merchant users for integration tests: a merchant with an OWNER (made by `paygraph merchant create
// --owner-email`), and a signed-in user of any role (invited by that owner, then accepted).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { AcceptInvitationDocument, InviteUserDocument, SignInDocument, type UserRole } from "../../client/src/generated/graphql.js";
import { gql, ok, type Stack } from "./stack.js";

const MAIN = path.resolve(import.meta.dirname, "../../dist/main.js");
export const PASSWORD = "correct horse battery staple";
let counter = 0;
export const uniqueEmail = (tag: string): string => `${tag}.${process.pid}.${Date.now()}.${counter++}@example.test`;

export interface MerchantWithOwner { merchantId: string; secretKey: string; ownerUserId: string; ownerEmail: string }

export async function merchantWithOwner(stack: Stack, email = uniqueEmail("owner"), password = PASSWORD): Promise<MerchantWithOwner> {
  const args = [MAIN, "merchant", "create", "--name", "Users test", "--json", "--owner-email", email, "--owner-password", password];
  const { stdout } = await promisify(execFile)(process.execPath, args, { env: { PATH: process.env.PATH ?? "", ...stack.env } });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as MerchantWithOwner;
}

export async function signIn(url: string, email: string, password = PASSWORD): Promise<string> {
  return ok(await gql(url, SignInDocument, { input: { email, password } })).signIn.token;
}

/** A user of `role`, invited by `managerToken` and signed in by accepting: their id, email and session token. */
export async function userWithRole(url: string, managerToken: string, role: UserRole, password = PASSWORD): Promise<{ id: string; email: string; token: string }> {
  const email = uniqueEmail(role.toLowerCase());
  const { inviteToken } = ok(await gql(url, InviteUserDocument, { input: { email, role, name: `A ${role}` } }, { key: managerToken })).inviteUser;
  const accepted = ok(await gql(url, AcceptInvitationDocument, { input: { token: inviteToken, password } })).acceptInvitation;
  return { id: accepted.user.userId, email, token: accepted.session.token };
}
