// GraphQL types shared by every domain: Money, the Relay Node interface and PageInfo.
import { Field, ID, InterfaceType, ObjectType } from "type-graphql";
import { Money } from "../money.js";

@ObjectType("Money", { description: "An amount of money. `amount` has exactly the currency's ISO 4217 decimals." })
export class MoneyType {
  @Field({ description: 'Decimal string, e.g. "12.500" for KWD, "1000" for JPY' })
  amount!: string;

  @Field({ description: "Integer amount in the currency's minor unit, as a string (it may exceed 2^53)" })
  minorUnits!: string;

  @Field({ description: "ISO 4217 currency code" })
  currency!: string;

  static of(minor: bigint, currency: string): MoneyType {
    return Object.assign(new MoneyType(), { amount: Money.of(minor, currency).format(), minorUnits: minor.toString(), currency });
  }
}

/** GraphQL type name of each id prefix that `node(id:)` can resolve. */
export const NODE_TYPES: Record<string, string> = { pay: "Payment", re: "Refund", gwa: "GatewayAccount", cus: "Customer", pm: "PaymentMethod" };

@InterfaceType("Node", {
  description: "An object with a globally unique, prefixed id (pay_…, re_…)",
  // Resolvers return database rows, not class instances: the id prefix says what a row is.
  resolveType: (value: { id: string }) => NODE_TYPES[value.id.split("_")[0] ?? ""],
})
export abstract class NodeInterface {
  @Field(() => ID)
  id!: string;
}

@ObjectType("PageInfo")
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field() hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}
