// A refund row as JSON and back, for stored idempotent responses.
import type { Prisma, Refund } from "../generated/prisma/client.js";
import type { Codec } from "../platform/idempotency.js";

export const refundCodec: Codec<Refund> = {
  encode: (r) => ({ ...r, amount: r.amount.toString(), createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() }) as Prisma.InputJsonValue,
  decode: (json) => {
    const j = json as Record<string, unknown>;
    return { ...j, amount: BigInt(j.amount as string), createdAt: new Date(j.createdAt as string), updatedAt: new Date(j.updatedAt as string) } as unknown as Refund;
  },
};
