// Bearer secrets of the users domain. Session tokens (`pgs_` + 43 base62 ≈ 256 bits) have their
// own shape, distinct from API keys (`sk_/pk_/rk_…`) and JWTs (three dot-separated parts), so
// `verifyCredential` dispatches on it. Invitation tokens (`pgi_…`) never authenticate a request.
// Both are stored as SHA-256 hashes: at this entropy a slow hash buys nothing (as for API keys).
import { randomToken } from "../platform/ids.js";

const SESSION_PATTERN = /^pgs_[0-9A-Za-z]{43}$/;
const INVITE_PATTERN = /^pgi_[0-9A-Za-z]{43}$/;

export const newSessionToken = (): string => `pgs_${randomToken(43)}`;
export const newInviteToken = (): string => `pgi_${randomToken(43)}`;
export const looksLikeSessionToken = (credential: string): boolean => SESSION_PATTERN.test(credential);
export const looksLikeInviteToken = (token: string): boolean => INVITE_PATTERN.test(token);
