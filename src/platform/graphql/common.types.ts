// GraphQL types shared by every domain: Money, the Relay Node interface, PageInfo and connections.
import { ArgsType, Field, ID, Int, InterfaceType, ObjectType, type ClassType } from "type-graphql";
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

/**
 * The GraphQL type each id prefix names: one type a prefix. Filled by the server's node registry
 * (src/server/node-registry.ts), which knows the domains; the platform does not.
 */
export const NODE_TYPES = new Map<string, string>();

@InterfaceType("Node", {
  description: "An object with a globally unique, prefixed id (pay_…, re_…); node(id:) reads any of them",
  // Resolvers return database rows, not class instances: the id prefix says what a row is.
  resolveType: (value: { id: string }) => NODE_TYPES.get(value.id.split("_")[0] ?? ""),
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

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: "Page size forward, 1 to 100 (default 20)" }) first?: number | null;
  @Field(() => String, { nullable: true, description: "Items after this cursor" }) after?: string | null;
  @Field(() => Int, { nullable: true, description: "Page size backward, 1 to 100: the items just before `before`, or the list's last" }) last?: number | null;
  @Field(() => String, { nullable: true, description: "Items before this cursor" }) before?: string | null;
}

/**
 * `<Name>Connection` and `<Name>Edge` for a node type: `edges { cursor node }`, `nodes` (the same
 * nodes without cursors) and `pageInfo`, as resolvers fill them from platform/pagination.ts.
 */
export function connectionOf<T extends object>(nodeType: ClassType<T>, name: string, description?: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor!: string;
    @Field(() => nodeType) node!: T;
  }

  @ObjectType(`${name}Connection`, { description })
  class Connection {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => [nodeType]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return Connection;
}
