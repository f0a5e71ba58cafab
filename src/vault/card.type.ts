// The GraphQL shapes of a card: what a caller sends (CardInput, checked by card.ts) and what the
// vault lets anyone read back (CardSummary). Payments and saved cards (customers) both use them.
import { Field, InputType, Int, ObjectType } from "type-graphql";

@InputType()
export class CardInput {
  @Field() number!: string;
  @Field(() => Int) expMonth!: number;
  @Field(() => Int) expYear!: number;
  @Field(() => String, { nullable: true, description: "Checked for format, sent nowhere, never stored" }) cvc?: string | null;
}

@ObjectType("CardSummary", { description: "What the vault lets anyone read of a card" })
export class CardSummary {
  @Field() brand!: string;
  @Field() last4!: string;
  @Field(() => String, { nullable: true, description: "Issuing country (ISO 3166-1 alpha-2) from the card's BIN; null when unknown" })
  country!: string | null;
  @Field(() => Int) expMonth!: number;
  @Field(() => Int) expYear!: number;
  @Field({ description: "Same card, same merchant: same fingerprint" }) fingerprint!: string;
}
