// Thin adapters over rates.ts and conversion.ts. Reading rates needs any key; setting one, ADMIN.
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { AppError, ErrorCode } from "../platform/errors.js";
import { MoneyType } from "../platform/graphql/common.types.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { Money } from "../platform/money.js";
import type { Tx } from "../platform/db.js";
import { convertMinor } from "./conversion.js";
import { ConversionType, ExchangeRateType, RoundingMode, SetExchangeRateInput, SetExchangeRatePayload } from "./exchange-rate.type.js";
import { currencyCode, findRate, setExchangeRateAsAdmin, type RateQuote } from "./rates.js";

async function rateOrNotFound(db: Tx, from: string, to: string): Promise<RateQuote> {
  const quote = await findRate(db, from, to);
  if (!quote) throw new AppError(ErrorCode.NOT_FOUND, `No exchange rate from ${from} to ${to}`, { from, to });
  return quote;
}

@Resolver()
export class ExchangeRateResolver {
  @Authorized()
  @Query(() => ExchangeRateType, { description: "The rate in force: the stored pair, else the inverse of the opposite pair, else a cross through a common currency" })
  async exchangeRate(@Arg("from") from: string, @Arg("to") to: string, @Ctx() context: GqlContext): Promise<RateQuote> {
    merchantCtx(context);
    return rateOrNotFound(context.app.db, currencyCode(from, "from"), currencyCode(to, "to"));
  }

  @Authorized()
  @Query(() => ConversionType, { description: "Converts a decimal amount of `from` into `to` at the rate in force, rounding once, half to even" })
  async convert(@Arg("amount") amount: string, @Arg("from") from: string, @Arg("to") to: string, @Ctx() context: GqlContext): Promise<ConversionType> {
    merchantCtx(context);
    const source = currencyCode(from, "from");
    const target = currencyCode(to, "to");
    const money = Money.parse(amount, source);
    const quote = await rateOrNotFound(context.app.db, source, target);
    const converted = convertMinor(money.minor, source, target, quote.rate);
    return Object.assign(new ConversionType(), {
      amount: MoneyType.of(money.minor, source),
      converted: MoneyType.of(converted, target),
      rate: quote.rate,
      source: quote.source,
      asOf: quote.asOf,
      rounding: RoundingMode.HALF_EVEN,
    });
  }

  @Authorized("ADMIN", "admin")
  @Mutation(() => SetExchangeRatePayload, { description: "Admin keys only: records a rate (source \"manual\"), kept in the history like every other" })
  async setExchangeRate(@Arg("input") input: SetExchangeRateInput, @Ctx() context: GqlContext): Promise<{ exchangeRate: RateQuote }> {
    return { exchangeRate: await setExchangeRateAsAdmin(merchantCtx(context), input) };
  }
}
