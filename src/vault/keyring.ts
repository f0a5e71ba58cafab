// The local keyring: KEK ids → 32-byte keys, which one is active (wraps new and re-wrapped DEKs),
// and which ids are retired (their material is gone; an unwrap under them fails loudly). Read from
// a JSON key file (VAULT_KEYRING_FILE) or the VAULT_KEYS secret (`kek2:<b64>,kek1:<b64>`, first
// active). Only the file can be rotated by command: an environment secret is changed by its owner.
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";

export interface Keyring {
  active: string;
  keys: Map<string, Buffer>;
  retired: Set<string>;
}

/** The key file's shape: `{ "active": "kek2", "keys": { "kek1": "<b64>", "kek2": "<b64>" }, "retired": ["kek0"] }`. */
export interface KeyringFile {
  active: string;
  keys: Record<string, string>;
  retired?: string[];
}

const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;

function keyOf(id: string, b64: string, where: string): Buffer {
  if (!KEK_ID.test(id)) throw new Error(`${where}: KEK id "${id}" must be 1-64 letters, digits, '.', '_' or '-'`);
  const key = Buffer.from(b64.trim(), "base64");
  if (key.length !== 32) throw new Error(`${where}: KEK "${id}" must be 32 bytes, base64-encoded`);
  return key;
}

/** `kek2:<b64>,kek1:<b64>`: the first is active. */
export function parseKeysEnv(value: string): Keyring {
  const keys = new Map<string, Buffer>();
  let active: string | undefined;
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(":");
    if (colon < 1) throw new Error(`VAULT_KEYS: each entry is <kek id>:<base64 key>, got "${part.slice(0, 12)}…"`);
    const id = part.slice(0, colon);
    if (keys.has(id)) throw new Error(`VAULT_KEYS: KEK "${id}" is listed twice`);
    keys.set(id, keyOf(id, part.slice(colon + 1), "VAULT_KEYS"));
    active ??= id;
  }
  if (!active) throw new Error("VAULT_KEYS is empty: give at least one <kek id>:<base64 key>");
  return { active, keys, retired: new Set() };
}

export function parseKeyringJson(text: string, where = "keyring file"): Keyring {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not valid JSON (${(err as Error).message})`);
  }
  const file = raw as Partial<KeyringFile>;
  if (!file || typeof file !== "object" || typeof file.keys !== "object" || file.keys === null || Array.isArray(file.keys)) {
    throw new Error(`${where} must be {"active": "<kek id>", "keys": {"<kek id>": "<base64>"}, "retired": []}`);
  }
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(file.keys)) {
    if (typeof b64 !== "string") throw new Error(`${where}: KEK "${id}" must be a base64 string`);
    keys.set(id, keyOf(id, b64, where));
  }
  const retired = new Set(Array.isArray(file.retired) ? file.retired.map(String) : []);
  for (const id of retired) if (keys.has(id)) throw new Error(`${where}: KEK "${id}" is retired but its key is still in "keys": remove one or the other`);
  if (typeof file.active !== "string" || !keys.has(file.active)) throw new Error(`${where}: "active" must name one of the keys (${[...keys.keys()].join(", ") || "none"})`);
  return { active: file.active, keys, retired };
}

export function readKeyringFile(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`VAULT_KEYRING_FILE ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseKeyringJson(text, `VAULT_KEYRING_FILE ${path}`);
}

export function serializeKeyring(ring: Keyring): string {
  const file: KeyringFile = {
    active: ring.active,
    keys: Object.fromEntries([...ring.keys].map(([id, key]) => [id, key.toString("base64")])),
    retired: [...ring.retired],
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Atomic (write then rename) and owner-only: a reader sees the old file or the new, never half. */
export function writeKeyringFile(path: string, ring: Keyring): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, serializeKeyring(ring), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** A new random KEK made active; the previous ones stay readable until retired. */
export function withNewActiveKek(ring: Keyring, id: string): Keyring {
  if (ring.keys.has(id) || ring.retired.has(id)) throw new Error(`KEK "${id}" already exists in the keyring`);
  keyOf(id, randomBytes(32).toString("base64"), "new KEK"); // validates the id
  const keys = new Map(ring.keys);
  keys.set(id, randomBytes(32));
  return { active: id, keys, retired: new Set(ring.retired) };
}

/** Drops the key material and remembers the id as retired (so an unwrap under it says "retired"). */
export function withRetiredKek(ring: Keyring, id: string): Keyring {
  if (id === ring.active) throw new Error(`KEK "${id}" is the active one: rotate to a new KEK first`);
  if (!ring.keys.has(id)) throw new Error(ring.retired.has(id) ? `KEK "${id}" is already retired` : `KEK "${id}" is not in the keyring`);
  const keys = new Map(ring.keys);
  keys.delete(id);
  return { active: ring.active, keys, retired: new Set([...ring.retired, id]) };
}
