// A payment row as JSON (bigint → string, Date → ISO), for the audit trail, the outbox and stored
// idempotent responses; and back. One codec, so all three agree on the shape.
import type { Payment } from "../generated/prisma/client.js";
import type { Codec } from "../platform/idempotency.js";
import type { Prisma } from "../generated/prisma/client.js";

const BIGINTS = ["amount", "amountCapturable", "amountCaptured", "amountRefunded", "amountRefundPending"] as const;
const DATES = ["createdAt", "updatedAt"] as const;

export type PaymentJson = Record<string, Prisma.JsonValue>;

export function paymentToJson(p: Payment): PaymentJson {
  const json: PaymentJson = { ...(p as unknown as PaymentJson) };
  for (const k of BIGINTS) json[k] = p[k].toString();
  for (const k of DATES) json[k] = p[k].toISOString();
  return json;
}

export function paymentFromJson(json: unknown): Payment {
  const raw = json as Record<string, unknown>;
  const p = { ...raw } as Record<string, unknown>;
  for (const k of BIGINTS) p[k] = BigInt(raw[k] as string);
  for (const k of DATES) p[k] = new Date(raw[k] as string);
  return p as unknown as Payment;
}

export const paymentCodec: Codec<Payment> = {
  encode: (p) => paymentToJson(p) as Prisma.InputJsonValue,
  decode: paymentFromJson,
};
