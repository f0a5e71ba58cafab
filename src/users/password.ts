// Password hashing with Node's own scrypt: no native addon or install script to vet (argon2id
// would need one), and scrypt is one of OWASP's recommended memory-hard functions. Each hash has
// its own random salt and carries its parameters (`$scrypt$ln=15,r=8,p=3$<salt>$<hash>`, base64),
// so the defaults can be raised later: old hashes still verify, and are re-hashed at sign-in
// (`needsRehash`). OWASP's 32 MiB profile (N=2^15, r=8, p=3) keeps the 160 MB api process safe.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptParams { ln: number; r: number; p: number }
export const CURRENT: ScryptParams = { ln: 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const scrypt = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const N = 2 ** params.ln;
    // Node refuses more than 32 MiB by default; allow what these parameters need (128·N·r) plus headroom.
    const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r + 1024 * 1024 };
    scryptCb(password.normalize("NFKC"), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return undefined;
  return { params: { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }, salt: Buffer.from(m[4]!, "base64"), hash: Buffer.from(m[5]!, "base64") };
}

export async function hashPassword(password: string, params: ScryptParams = CURRENT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await scrypt(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Constant-time comparison; false for a malformed stored string (never throws on bad input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await scrypt(password, parsed.salt, parsed.params);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

export function needsRehash(stored: string, params: ScryptParams = CURRENT): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.ln < params.ln || parsed.params.r < params.r || parsed.params.p < params.p;
}

let dummy: Promise<string> | undefined;
/**
 * Verifies against a throw-away hash: signing in with an unknown email costs the same scrypt as a
 * known one, so the answer's timing does not tell which emails have accounts.
 */
export async function burnVerification(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummy);
  return false;
}

/** Length counted in code points (what a person typed), 12 to 128. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  return undefined;
}
