// Decimal-string arithmetic for the refund form: amounts as integers of minor units (BigInt),
// never floats. A payment's amounts all share its currency's exponent.

export const decimalsOf = (amount: string): number => amount.split(".")[1]?.length ?? 0;

export function toMinor(amount: string, decimals: number): bigint {
  const [whole = "0", fraction = ""] = amount.split(".");
  return BigInt(whole + fraction.padEnd(decimals, "0").slice(0, decimals));
}

export function fromMinor(minor: bigint, decimals: number): string {
  const digits = (minor < 0n ? -minor : minor).toString().padStart(decimals + 1, "0");
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return minor < 0n ? `-${text}` : text;
}

/** What a refund may still take: captured − refunded − refunds pending. */
export function refundable(p: { amountCaptured: { amount: string }; amountRefunded: { amount: string }; amountRefundPending: { amount: string } }): string {
  const d = decimalsOf(p.amountCaptured.amount);
  const left = toMinor(p.amountCaptured.amount, d) - toMinor(p.amountRefunded.amount, d) - toMinor(p.amountRefundPending.amount, d);
  return fromMinor(left > 0n ? left : 0n, d);
}
