// GraphQL shape of exchange rates and conversions. Rates are decimal strings, never floats.
import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { MoneyType } from "../platform/graphql/common.types.js";

export enum RoundingMode {
  HALF_EVEN = "HALF_EVEN",
}
registerEnumType(RoundingMode, {
  name: "RoundingMode",
  description: "How a converted amount is rounded to the target currency's minor unit: once, half to even (banker's rounding)",
});

@ObjectType("ExchangeRate", { description: "Units of `to` per unit of `from`. Derived rates (inverse, cross) are rounded half to even to 12 decimals; that is the rate conversions use" })
export class ExchangeRateType {
  @Field() from!: string;
  @Field() to!: string;
  @Field({ description: 'Plain decimal string, e.g. "0.92"' }) rate!: string;
  @Field({ description: 'Where the rate comes from: "sandbox", "manual" (setExchangeRate), a provider host; derived rates say how ("… (inverse of EUR/USD)", "… (cross via USD)")' })
  source!: string;
  @Field(() => GraphQLDateTime, { description: "The rate's time at its source (a derived rate: its oldest leg's)" }) asOf!: Date;
}

@ObjectType("Conversion")
export class ConversionType {
  @Field(() => MoneyType, { description: "The amount converted, in `from`" }) amount!: MoneyType;
  @Field(() => MoneyType, { description: "The result in `to`, rounded once at its minor unit" }) converted!: MoneyType;
  @Field({ description: "The exact rate used" }) rate!: string;
  @Field() source!: string;
  @Field(() => GraphQLDateTime) asOf!: Date;
  @Field(() => RoundingMode) rounding!: RoundingMode;
}

@InputType()
export class SetExchangeRateInput {
  @Field({ description: "ISO 4217 code" }) from!: string;
  @Field({ description: "ISO 4217 code" }) to!: string;
  @Field({ description: 'Units of `to` per unit of `from`: a positive plain decimal, at most 12 digits before and 18 after the point' }) rate!: string;
  @Field(() => GraphQLDateTime, { nullable: true, description: "The rate's time; default now, never in the future. The latest asOf of a pair is the rate in force" })
  asOf?: Date | null;
}

@ObjectType()
export class SetExchangeRatePayload {
  @Field(() => ExchangeRateType, { description: "The rate as recorded (source \"manual\")" }) exchangeRate!: ExchangeRateType;
}
