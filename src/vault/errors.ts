// The vault's one error type. A card or secret that cannot be decrypted is never a silent
// fallback and never garbage: AES-GCM authenticates every unwrap and decrypt, and every failure
// surfaces as a VaultError naming the key-encryption key (KEK) or data key (DEK) involved.
export type VaultErrorCode =
  /** The ciphertext names a KEK the keyring does not hold (not even after reloading it). */
  | "vault_kek_unknown"
  /** The KEK was retired: nothing may be unwrapped with it any more. */
  | "vault_kek_retired"
  /** The KEK is held but authentication failed: wrong key material under that id, or a wrapped DEK moved to another row. */
  | "vault_unwrap_failed"
  /** The DEK a ciphertext names does not exist. */
  | "vault_dek_missing"
  /** The ciphertext fails authentication under its DEK: tampered, another merchant's, another purpose's. */
  | "vault_decrypt_failed"
  /** A pre-envelope row sealed directly by VAULT_KEY, and that key is not configured. */
  | "vault_legacy_key_missing";

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    readonly ids: { kekId?: string; dataKeyId?: string } = {},
  ) {
    super(message);
    this.name = "VaultError";
  }
  get kekId(): string | undefined {
    return this.ids.kekId;
  }
  get dataKeyId(): string | undefined {
    return this.ids.dataKeyId;
  }
}
