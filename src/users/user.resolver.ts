// Thin adapters over the users services. signIn and acceptInvitation need no credential; the rest
// declare their scope (roles.ts says which roles hold it), and the role rules live in the services.
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { ConnectionArgs } from "../platform/graphql/common.types.js";
import { mapPage, type Page } from "../platform/pagination.js";
import { acceptInvitation, inviteUser, listInvitations, revokeInvitation } from "./invitations.js";
import { removeUser, updateUserRole } from "./membership.js";
import { scopesOf } from "./roles.js";
import { me, signIn, signOut } from "./signin.js";
import {
  AcceptInvitationInput, AcceptInvitationPayload, CurrentUser, InvitationConnection, InvitationType, InviteUserInput, InviteUserPayload, RemoveUserInput, RemoveUserPayload,
  RevokeInvitationInput, RevokeInvitationPayload,
  SignInInput, SignInPayload, SignOutInput, SignOutPayload, UpdateUserRoleInput, UpdateUserRolePayload, UserConnection, UserType,
} from "./user.type.js";
import { listUsers, type User } from "./users.data.js";

export const userView = (u: User): UserType => ({ id: u.id, name: u.name, email: u.email, role: u.role, createdAt: u.createdAt, disabledAt: u.disabledAt });
const current = (u: User): CurrentUser => ({ userId: u.id, user: userView(u), merchantId: u.merchantId, name: u.name, email: u.email, role: u.role, scopes: scopesOf(u.role) });
const anonymous = (context: GqlContext) => ({ app: context.app, requestId: context.requestId, clientIp: context.clientIp ?? "unknown" });

@Resolver()
export class UserResolver {
  @Authorized("users:read")
  @Query(() => CurrentUser, { description: "The signed-in user (a user session only: API keys hold no users:read)" })
  async me(@Ctx() context: GqlContext): Promise<CurrentUser> {
    return current(await me(merchantCtx(context)));
  }

  @Authorized("users:read")
  @Query(() => UserConnection, { description: "The merchant's users, removed ones included, newest first" })
  async users(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<UserType>> {
    return mapPage(await listUsers(merchantCtx(context), args), userView);
  }

  @Authorized("users:manage")
  @Mutation(() => InviteUserPayload, { description: "OWNER invites any role; ADMIN invites DEVELOPER, ANALYST, SUPPORT" })
  async inviteUser(@Arg("input") input: InviteUserInput, @Ctx() context: GqlContext): Promise<InviteUserPayload> {
    const { invitation, inviteToken } = await inviteUser(merchantCtx(context), input);
    return { invitation, inviteToken };
  }

  @Authorized("users:manage")
  @Query(() => InvitationConnection, { description: "Open invitations (not accepted, withdrawn or expired), newest first" })
  async invitations(@Args() args: ConnectionArgs, @Ctx() context: GqlContext): Promise<Page<InvitationType>> {
    return listInvitations(merchantCtx(context), args);
  }

  @Authorized("users:manage")
  @Mutation(() => RevokeInvitationPayload, { description: "Withdraws an open invitation: its token is refused from then on" })
  async revokeInvitation(@Arg("input") input: RevokeInvitationInput, @Ctx() context: GqlContext): Promise<RevokeInvitationPayload> {
    return { invitation: await revokeInvitation(merchantCtx(context), input) };
  }

  @Mutation(() => AcceptInvitationPayload, { description: "Unauthenticated: the invitation token is the credential" })
  async acceptInvitation(@Arg("input") input: AcceptInvitationInput, @Ctx() context: GqlContext): Promise<AcceptInvitationPayload> {
    const { user, session } = await acceptInvitation(anonymous(context), input);
    return { user: current(user), session: { token: session.token, expiresAt: session.expiresAt } };
  }

  @Mutation(() => SignInPayload, { description: "Unauthenticated. One UNAUTHENTICATED answer for a wrong email or password; RATE_LIMITED after repeated failures" })
  async signIn(@Arg("input") input: SignInInput, @Ctx() context: GqlContext): Promise<SignInPayload> {
    const { user, token, expiresAt } = await signIn(anonymous(context), input);
    return { user: current(user), token, expiresAt };
  }

  @Authorized("users:read")
  @Mutation(() => SignOutPayload, { description: "Revokes the session this request came with (with everywhere: every session of its user)" })
  async signOut(@Arg("input", () => SignOutInput, { nullable: true }) input: SignOutInput | null, @Ctx() context: GqlContext): Promise<SignOutPayload> {
    const revokedSessions = await signOut(merchantCtx(context), context.principal!.credentialId, input?.everywhere ?? false);
    return { revoked: revokedSessions > 0, revokedSessions };
  }

  @Authorized("users:manage")
  @Mutation(() => UpdateUserRolePayload, { description: "Within the role rules; the last OWNER cannot be demoted (CONFLICT)" })
  async updateUserRole(@Arg("input") input: UpdateUserRoleInput, @Ctx() context: GqlContext): Promise<UpdateUserRolePayload> {
    return { user: userView(await updateUserRole(merchantCtx(context), input)) };
  }

  @Authorized("users:manage")
  @Mutation(() => RemoveUserPayload, { description: "Disables the user and revokes their sessions at once; the last OWNER cannot be removed (CONFLICT)" })
  async removeUser(@Arg("input") input: RemoveUserInput, @Ctx() context: GqlContext): Promise<RemoveUserPayload> {
    return { user: userView(await removeUser(merchantCtx(context), input)) };
  }
}
