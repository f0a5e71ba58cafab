// KeyProvider: where key-encryption keys (KEKs) live. Shaped for a cloud KMS or an HSM: the raw
// KEK never leaves the provider (only wrap/unwrap of a data key, both async, under an encryption
// context that binds the wrapped key to its row), and every KEK has an id that is stored beside
// each wrapped data key. LocalKeyProvider is the in-process implementation over a Keyring.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { VaultError } from "./errors.js";
import { readKeyringFile, type Keyring } from "./keyring.js";

/** Bound into every wrap (as AES-GCM associated data, like a KMS encryption context). */
export type WrapContext = Record<string, string>;

export interface KekInfo {
  id: string;
  state: "active" | "enabled" | "retired";
}

export interface KeyProvider {
  /** The KEK new wraps use. */
  activeKekId(): Promise<string>;
  /** Wraps a data key under the active KEK. */
  wrap(plaintextKey: Buffer, context: WrapContext): Promise<{ kekId: string; wrapped: Buffer }>;
  /** Unwraps under the named KEK; throws a VaultError naming it when it is unknown, retired or the wrap does not authenticate. */
  unwrap(kekId: string, wrapped: Buffer, context: WrapContext): Promise<Buffer>;
  /** The KEKs it knows, without their material. */
  list(): Promise<KekInfo[]>;
  /** Re-reads the key source (a file changed by `paygraph vault rotate-kek`). */
  reload(): Promise<void>;
}

const IV = 12;
const TAG = 16;
/** Canonical (sorted) so the same context always gives the same associated data. */
const aad = (context: WrapContext): Buffer =>
  Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])));

export type KeyringSource = { kind: "file"; path: string } | { kind: "static"; keyring: Keyring; description: string };

export interface LocalKeyProviderOptions {
  /** How often the key file's mtime is checked before a wrap (a rotation is picked up without restart). */
  reloadEveryMs?: number;
  /** Refuses these key bytes (production refuses the development KEK). */
  forbidden?: Buffer[];
}

export class LocalKeyProvider implements KeyProvider {
  private ring: Keyring;
  private mtimeMs = 0;
  private checkedAt = 0;

  constructor(
    private readonly source: KeyringSource,
    private readonly options: LocalKeyProviderOptions = {},
  ) {
    this.ring = this.load();
  }

  get description(): string {
    return this.source.kind === "file" ? `key file ${this.source.path}` : this.source.description;
  }

  /** The keyring as loaded now (the CLI rotates and retires by rewriting the file). */
  get keyring(): Keyring {
    return this.ring;
  }

  private load(): Keyring {
    let ring: Keyring;
    if (this.source.kind === "file") {
      this.mtimeMs = statSync(this.source.path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      ring = readKeyringFile(this.source.path);
    } else {
      ring = this.source.keyring;
    }
    for (const [id, key] of ring.keys) {
      if (this.options.forbidden?.some((f) => f.equals(key))) throw new Error(`KEK "${id}" is the built-in development key: refused in production`);
    }
    return ring;
  }

  async reload(): Promise<void> {
    this.ring = this.load();
    this.checkedAt = Date.now();
  }

  /** A rotated key file is noticed within reloadEveryMs (one stat, no read when unchanged). */
  private maybeReload(): void {
    if (this.source.kind !== "file") return;
    const now = Date.now();
    if (now - this.checkedAt < (this.options.reloadEveryMs ?? 5000)) return;
    this.checkedAt = now;
    const mtime = statSync(this.source.path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtime !== this.mtimeMs) this.ring = this.load();
  }

  async activeKekId(): Promise<string> {
    this.maybeReload();
    return this.ring.active;
  }

  async wrap(plaintextKey: Buffer, context: WrapContext): Promise<{ kekId: string; wrapped: Buffer }> {
    this.maybeReload();
    const kekId = this.ring.active;
    const iv = randomBytes(IV);
    const cipher = createCipheriv("aes-256-gcm", this.ring.keys.get(kekId)!, iv);
    cipher.setAAD(aad({ ...context, kek: kekId }));
    const body = Buffer.concat([cipher.update(plaintextKey), cipher.final()]);
    return { kekId, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  async unwrap(kekId: string, wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    let key = this.ring.keys.get(kekId);
    // Another process may have rotated the key file: read it again before calling the id unknown.
    if (!key && !this.ring.retired.has(kekId) && this.source.kind === "file") {
      await this.reload();
      key = this.ring.keys.get(kekId);
    }
    if (!key) {
      if (this.ring.retired.has(kekId)) throw new VaultError("vault_kek_retired", `KEK "${kekId}" is retired: data keys wrapped by it can no longer be unwrapped`, { kekId });
      throw new VaultError("vault_kek_unknown", `KEK "${kekId}" is not in the keyring (${this.description})`, { kekId });
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, wrapped.subarray(0, IV), { authTagLength: TAG }); // a truncated tag never authenticates
      decipher.setAAD(aad({ ...context, kek: kekId }));
      decipher.setAuthTag(wrapped.subarray(IV, IV + TAG));
      return Buffer.concat([decipher.update(wrapped.subarray(IV + TAG)), decipher.final()]);
    } catch {
      throw new VaultError("vault_unwrap_failed", `A data key does not unwrap under KEK "${kekId}": wrong key material for that id, or the wrapped key was moved`, { kekId });
    }
  }

  async list(): Promise<KekInfo[]> {
    return [
      ...[...this.ring.keys.keys()].map((id): KekInfo => ({ id, state: id === this.ring.active ? "active" : "enabled" })),
      ...[...this.ring.retired].map((id): KekInfo => ({ id, state: "retired" })),
    ];
  }
}
