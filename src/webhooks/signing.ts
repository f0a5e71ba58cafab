// Standard Webhooks v1 signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
// keyed by the base64 part of a `whsec_…` secret; several space-separated while a rolled secret
// overlaps its successor. node:crypto rather than the `standardwebhooks` package: that library
// hashes in JavaScript (fast-sha256) and signs with one secret; the tests verify every delivery
// with it and with svix's verifier, so the two cannot drift apart unnoticed.
import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** 32 random bytes (the spec asks for 24 to 64). */
export const newSigningSecret = (): string => `${PREFIX}${randomBytes(32).toString("base64")}`;

export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}

/** The three Standard Webhooks headers of one delivery, signed with every secret given. */
export function signedHeaders(secrets: readonly string[], id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => signature(s, id, timestamp, body)).join(" "),
  };
}
