// The GraphQL face of 3-D Secure on a payment: what happened (`threeDSecure`), what the shopper must
// do now (`nextAction`), and what a confirmation asks for (`requestThreeDSecure`).
import { Field, ObjectType, registerEnumType } from "type-graphql";

export enum ThreeDSecureRequest {
  AUTOMATIC = "AUTOMATIC",
  ANY = "ANY",
}
registerEnumType(ThreeDSecureRequest, {
  name: "ThreeDSecureRequest",
  description: "AUTOMATIC: authenticate when the issuer (or paygraph's risk step) asks for it; ANY: authenticate every confirmation the card supports",
});

export enum NextActionKind {
  REDIRECT_TO_URL = "REDIRECT_TO_URL",
}
registerEnumType(NextActionKind, { name: "NextActionType", description: "REDIRECT_TO_URL: send the shopper's browser to `redirectUrl` (a 3-D Secure challenge); it comes back to the confirmation's returnUrl" });

export enum ThreeDSecureFlowKind {
  FRICTIONLESS = "FRICTIONLESS",
  CHALLENGE = "CHALLENGE",
}
registerEnumType(ThreeDSecureFlowKind, { name: "ThreeDSecureFlow" });

@ObjectType("NextAction", { description: "What the shopper must do for a REQUIRES_ACTION payment to go on" })
export class NextActionType {
  @Field(() => NextActionKind) type!: NextActionKind;
  @Field({ description: "Open in the shopper's browser (a full page, not a frame)" }) redirectUrl!: string;
}

@ObjectType("ThreeDSecure", { description: "The payment's latest 3-D Secure authentication (EMV 3DS)" })
export class ThreeDSecureType {
  @Field({ description: "The EMV 3DS message version" }) version!: string;
  @Field(() => ThreeDSecureFlowKind) flow!: ThreeDSecureFlowKind;
  @Field({ description: "The EMV letter: Y authenticated, A attempted, N not authenticated, U unavailable, R rejected; C while the challenge is open" })
  transStatus!: string;
  @Field(() => String, { nullable: true, description: "The EMV transStatusReason code, when the directory server gives one" }) transStatusReason!: string | null;
  @Field(() => String, { nullable: true, description: "Electronic Commerce Indicator, as the scheme sets it (Visa 05/06/07, Mastercard 02/01/00)" }) eci!: string | null;
  @Field({ description: "Y and A: a fraud chargeback is the issuer's liability, not the merchant's" }) liabilityShifted!: boolean;
}
