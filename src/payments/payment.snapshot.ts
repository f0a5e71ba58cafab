// A payment row as JSON (bigint → string, Date → ISO), for the audit trail, the outbox and stored
// idempotent responses; and back. One codec, so all three agree on the shape.
import type { Payment } from "../generated/prisma/client.js";
import type { Codec } from "../platform/idempotency.js";
import type { Prisma } from "../generated/prisma/client.js";

const BIGINTS = ["amount", "amountCapturable", "amountCaptured", "amountRefunded", "amountRefundPending"] as const;
const DATES = ["createdAt", "updatedAt"] as const;
/** Set only on converted payments. */
const NULLABLE_BIGINTS = ["settlementAmount"] as const;
const NULLABLE_DATES = ["fxRateAsOf"] as const;

export type PaymentJson = Record<string, Prisma.JsonValue>;

export function paymentToJson(p: Payment): PaymentJson {
  const json: PaymentJson = { ...(p as unknown as PaymentJson) };
  for (const k of BIGINTS) json[k] = p[k].toString();
  for (const k of DATES) json[k] = p[k].toISOString();
  for (const k of NULLABLE_BIGINTS) json[k] = p[k]?.toString() ?? null;
  for (const k of NULLABLE_DATES) json[k] = p[k]?.toISOString() ?? null;
  return json;
}

export function paymentFromJson(json: unknown): Payment {
  const raw = json as Record<string, unknown>;
  const p = { ...raw } as Record<string, unknown>;
  for (const k of BIGINTS) p[k] = BigInt(raw[k] as string);
  for (const k of DATES) p[k] = new Date(raw[k] as string);
  // Snapshots written before these fields existed lack them: absent reads as null.
  for (const k of NULLABLE_BIGINTS) p[k] = typeof raw[k] === "string" ? BigInt(raw[k]) : null;
  for (const k of NULLABLE_DATES) p[k] = typeof raw[k] === "string" ? new Date(raw[k]) : null;
  return p as unknown as Payment;
}

export const paymentCodec: Codec<Payment> = {
  encode: (p) => paymentToJson(p) as Prisma.InputJsonValue,
  decode: paymentFromJson,
};
