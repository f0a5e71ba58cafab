import { describe, expect, it } from "vitest";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { decryptEnvelope, decryptLegacy, encryptEnvelope, encryptLegacy, envelopeKeyId, fingerprintWith, isEnvelope, legacyFingerprintKey } from "../../src/vault/envelope.js";
import { VaultError } from "../../src/vault/errors.js";

const PAN = "4242424242424242";
const dek = randomBytes(32);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof VaultError ? err.code : `not a VaultError: ${String(err)}`;
  }
  return undefined;
};

describe("envelope encryption under a data key", () => {
  it("round-trips, names its data key, and never leaves the PAN in the ciphertext", () => {
    const blob = encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN);
    expect(isEnvelope(blob)).toBe(true);
    expect(envelopeKeyId(blob)).toBe("dek_a");
    expect(blob.toString("latin1")).not.toContain(PAN);
    expect(decryptEnvelope(dek, "mer_a", "card.pan", blob)).toBe(PAN);
  });
  it("uses a fresh IV each time", () => {
    expect(encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN).equals(encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN))).toBe(false);
  });
  it("binds the merchant: another merchant's ciphertext does not decrypt", () => {
    const blob = encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN);
    expect(codeOf(() => decryptEnvelope(dek, "mer_b", "card.pan", blob))).toBe("vault_decrypt_failed");
  });
  it("binds the purpose: a sealed secret is not readable as a card number", () => {
    const blob = encryptEnvelope(dek, "dek_a", "mer_a", ":gateway-config", "{}");
    expect(codeOf(() => decryptEnvelope(dek, "mer_a", "card.pan", blob))).toBe("vault_decrypt_failed");
  });
  it("binds the data key: a swapped DEK, or a blob relabelled with another DEK id, fails", () => {
    const blob = encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN);
    expect(codeOf(() => decryptEnvelope(randomBytes(32), "mer_a", "card.pan", blob))).toBe("vault_decrypt_failed");
    // Relabel: same key bytes, but the id written in the blob (and so the AAD) changes.
    const relabelled = Buffer.from(blob);
    relabelled.write("dek_b", 5, "ascii");
    expect(envelopeKeyId(relabelled)).toBe("dek_b");
    expect(codeOf(() => decryptEnvelope(dek, "mer_a", "card.pan", relabelled))).toBe("vault_decrypt_failed");
  });
  it("detects tampering anywhere in the body, tag or IV", () => {
    const blob = encryptEnvelope(dek, "dek_a", "mer_a", "card.pan", PAN);
    for (const at of [blob.length - 1, blob.length - 20, 12]) {
      const tampered = Buffer.from(blob);
      tampered[at] = (tampered[at] ?? 0) ^ 1;
      expect(codeOf(() => decryptEnvelope(dek, "mer_a", "card.pan", tampered))).toBe("vault_decrypt_failed");
    }
  });
  it("reads pre-envelope (v1) rows with the old VAULT_KEY, and only with it", () => {
    const legacy = randomBytes(32);
    const blob = encryptLegacy(legacy, "abc123", "mer_a", PAN);
    expect(isEnvelope(blob)).toBe(false);
    expect(decryptLegacy(legacy, "abc123", "mer_a", blob)).toBe(PAN);
    expect(codeOf(() => decryptLegacy(randomBytes(32), "abc123", "mer_a", blob))).toBe("vault_decrypt_failed");
  });
  it("fingerprints the same card the same way for one merchant only", () => {
    const key = randomBytes(32);
    expect(fingerprintWith(key, "mer_a", PAN)).toBe(fingerprintWith(key, "mer_a", PAN));
    expect(fingerprintWith(key, "mer_a", PAN)).not.toBe(fingerprintWith(key, "mer_b", PAN));
    expect(fingerprintWith(key, "mer_a", PAN)).not.toContain("4242");
  });
  it("keeps v1 fingerprints: a fingerprint key seeded from the old VAULT_KEY gives the same values", () => {
    const legacy = randomBytes(32);
    // What src/vault/vault.ts computed before data keys existed.
    const old = createHmac("sha256", Buffer.from(hkdfSync("sha256", legacy, Buffer.alloc(0), "paygraph/vault/fingerprint", 32))).update(`mer_a:${PAN}`).digest("base64url").slice(0, 22);
    expect(fingerprintWith(legacyFingerprintKey(legacy), "mer_a", PAN)).toBe(old);
  });
});
