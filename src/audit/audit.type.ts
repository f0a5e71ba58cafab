// GraphQL shape of the audit log and of a chain verification.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";
import { NodeInterface, connectionOf } from "../platform/graphql/common.types.js";

@ObjectType("AuditRecord", { implements: NodeInterface, description: "One state change or administrative action; append-only, hash-chained per merchant" })
export class AuditRecordType {
  @Field(() => ID) id!: string;
  @Field({ description: "Who acted: key:key_…, oauth:…, user:usr_…, system:worker, cli" }) actor!: string;
  @Field({ description: "<entity>.<verb>, e.g. payment.captured, api_key.rolled" }) action!: string;
  @Field() entityType!: string;
  @Field() entityId!: string;
  @Field({ description: "The x-request-id of the request (job:… for background work)" }) requestId!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: "The entity before (no secrets, no card data)" }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: "The entity after (no secrets, no card data)" }) after!: unknown;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => String, { nullable: true, description: "Position in the merchant's chain; null until sealed (within about AUDIT_CHAIN_MS)" }) seq!: string | null;
  @Field(() => String, { nullable: true, description: "SHA-256 (hex) of the record's canonical JSON and the previous hash; null until sealed" }) hash!: string | null;
}

export const AuditRecordConnection = connectionOf(AuditRecordType, "AuditRecord");

@InputType()
export class AuditLogFilter {
  @Field(() => String, { nullable: true }) entityId?: string | null;
  @Field(() => String, { nullable: true }) entityType?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) actor?: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "createdAt at or after" }) from?: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: "createdAt before" }) to?: Date | null;
}

export enum AuditBreakReason {
  MISSING = "MISSING",
  EDITED = "EDITED",
  BROKEN_LINK = "BROKEN_LINK",
  HEAD_MISMATCH = "HEAD_MISMATCH",
}
registerEnumType(AuditBreakReason, {
  name: "AuditBreakReason",
  description: "MISSING: a sealed record was deleted. EDITED: a record's fields no longer match its hash. BROKEN_LINK: a record's prevHash is not its predecessor's hash. HEAD_MISMATCH: the chain does not end at the stored head (newest records deleted, or the chain rewritten)",
});

@ObjectType("AuditChainBreak")
export class AuditChainBreak {
  @Field({ description: "The seq at which the chain breaks" }) seq!: string;
  @Field(() => ID, { nullable: true, description: "The record there; null when it is missing" }) id!: string | null;
  @Field(() => AuditBreakReason) reason!: AuditBreakReason;
}

@ObjectType("AuditChainVerification")
export class AuditChainVerification {
  @Field() ok!: boolean;
  @Field(() => Int, { description: "Records verified before the first break (all of them when ok)" }) checked!: number;
  @Field({ description: "The head's seq: the newest sealed record" }) headSeq!: string;
  @Field(() => Int, { description: "Records not sealed yet (the chainer seals them within about AUDIT_CHAIN_MS)" }) unsealed!: number;
  @Field(() => AuditChainBreak, { nullable: true }) firstBroken!: AuditChainBreak | null;
}
