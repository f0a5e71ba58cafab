// GraphQL shape of users, invitations and sessions. Password hashes and token hashes never appear;
// invitation and session tokens appear once, in the payload of the mutation that made them.
import { Field, ID, InputType, Int, ObjectType, registerEnumType, Authorized } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";
import { UserRole } from "./roles.js";

registerEnumType(UserRole, {
  name: "UserRole",
  description: "OWNER and ADMIN manage users; DEVELOPER builds integrations (keys, gateways, rules); ANALYST reads; SUPPORT reads and refunds (README: 'Merchant users and roles')",
});

@ObjectType("User", { implements: NodeInterface, description: "A person operating this merchant account, as their team sees them" })
export class UserType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  // Contact details are for the people who manage the team: others see names and roles.
  @Authorized("users:manage")
  @Field(() => String, { nullable: true, description: "Needs users:manage (others get FORBIDDEN for this field)" })
  email!: string | null;
  @Field(() => UserRole) role!: UserRole;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true, description: "Set when the user was removed" }) disabledAt!: Date | null;
}

export const UserConnection = connectionOf(UserType, "User");

@ObjectType({ description: "The signed-in user's own view: their email and what their role lets them do (no id of its own: `user` is the User)" })
export class CurrentUser {
  @Field(() => ID, { description: "The User's id (`user` reads it)" }) userId!: string;
  @Field(() => UserType) user!: UserType;
  @Field(() => ID) merchantId!: string;
  @Field() name!: string;
  @Field() email!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field(() => [String], { description: "The scopes of the role (README: 'Merchant users and roles')" }) scopes!: string[];
}

@ObjectType("Invitation", { implements: NodeInterface })
export class InvitationType {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() name!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field(() => GraphQLDateTime) expiresAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) acceptedAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => ID, { description: "The inviting user's id" }) invitedBy!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
}

export const InvitationConnection = connectionOf(InvitationType, "Invitation");

@ObjectType({ description: "A bearer session: send 'Authorization: Bearer <token>' (HTTP) or as connectionParams.Authorization (graphql-ws)" })
export class SessionType {
  @Field({ description: "Shown once: only its hash is stored" }) token!: string;
  @Field(() => GraphQLDateTime) expiresAt!: Date;
}

@InputType() export class InviteUserInput {
  @Field() email!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field() name!: string;
}

@ObjectType() export class InviteUserPayload {
  @Field(() => InvitationType) invitation!: InvitationType;
  @Field({ description: "Shown once (a real deployment would email it); the invitee passes it to acceptInvitation" }) inviteToken!: string;
}

@InputType() export class AcceptInvitationInput {
  @Field() token!: string;
  @Field({ description: "12 to 128 characters" }) password!: string;
  @Field(() => String, { nullable: true, description: "Defaults to the name the invitation gave" }) name?: string | null;
}

@ObjectType() export class AcceptInvitationPayload {
  @Field(() => CurrentUser) user!: CurrentUser;
  @Field(() => SessionType) session!: SessionType;
}

@InputType() export class SignInInput {
  @Field() email!: string;
  @Field() password!: string;
}

@ObjectType() export class SignInPayload {
  @Field(() => CurrentUser) user!: CurrentUser;
  @Field({ description: "The session token, shown once" }) token!: string;
  @Field(() => GraphQLDateTime) expiresAt!: Date;
}

@InputType() export class SignOutInput {
  @Field({ defaultValue: false, description: "Every session of the signed-in user, not just this one (a lost laptop)" }) everywhere!: boolean;
}

@ObjectType() export class SignOutPayload {
  @Field({ description: "False when the session was already revoked" }) revoked!: boolean;
  @Field(() => Int, { description: "Sessions revoked by this call" }) revokedSessions!: number;
}

@InputType() export class UpdateUserRoleInput {
  @Field(() => ID) id!: string;
  @Field(() => UserRole) role!: UserRole;
}
@ObjectType() export class UpdateUserRolePayload { @Field(() => UserType) user!: UserType }

@InputType() export class RevokeInvitationInput { @Field(() => ID) id!: string }
@ObjectType() export class RevokeInvitationPayload { @Field(() => InvitationType) invitation!: InvitationType }

@InputType() export class RemoveUserInput { @Field(() => ID) id!: string }
@ObjectType() export class RemoveUserPayload { @Field(() => UserType) user!: UserType }
