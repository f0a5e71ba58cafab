// The signed-in merchant user: their session token, its expiry, and the scopes of their role.
// Kept in localStorage so a shared link opened in another tab is signed in too (the page's CSP
// allows no script but its own, which is what keeps a token in storage safe from injected code).
// Every path that ends a session (sign-out, expiry, a 4403 close, an UNAUTHENTICATED answer)
// goes through `forget`, and the app sends the person to sign-in from there.
import { DashboardMeDocument, DashboardSignInDocument, DashboardSignOutDocument } from "@paygraph/client";
import { dashboardApi } from "./client.js";
import type { User } from "./types.js";

export interface Session { token: string; expiresAt: string; user: User }

const KEY = "paygraph:dashboard:session";
const listeners = new Set<() => void>();
let current: Session | undefined = read();
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function read(): Session | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

function changed(): void {
  clearTimeout(expiryTimer);
  // setTimeout's limit is ~24.8 days; a session lasts hours.
  if (current) expiryTimer = setTimeout(forget, Math.min(Date.parse(current.expiresAt) - Date.now(), 2 ** 31 - 1));
  for (const listener of listeners) listener();
}

export const session = (): Session | undefined => current;

/** What the role may do: views offer only what these allow. */
export const can = (scope: string): boolean => current?.user.scopes.includes(scope) ?? false;

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Ends the session here (not on the server): the app shows sign-in, keeping where the person was. */
export function forget(): void {
  if (!current) return;
  current = undefined;
  localStorage.removeItem(KEY);
  void api.close();
  changed();
}

export const api = dashboardApi({ getToken: () => current?.token, onUnauthenticated: forget });

export async function signIn(email: string, password: string): Promise<Session> {
  const { signIn: s } = await api.mutate(DashboardSignInDocument, { input: { email, password } });
  current = { token: s.token, expiresAt: s.expiresAt, user: s.user };
  localStorage.setItem(KEY, JSON.stringify(current));
  changed();
  return current;
}

/**
 * Re-reads the signed-in user (`me`) when the page opens: the stored role and scopes could be from
 * another tab's older sign-in, and a session that ended while no page was open is found out at
 * once (UNAUTHENTICATED: back to sign-in).
 */
export async function refreshUser(): Promise<void> {
  if (!current) return;
  const token = current.token;
  const { me } = await api.query(DashboardMeDocument);
  if (current?.token !== token) return;
  current = { ...current, user: me };
  localStorage.setItem(KEY, JSON.stringify(current));
  changed();
}

/** Revokes the session on the server, then forgets it (also when the server cannot be reached). */
export async function signOut(): Promise<void> {
  try {
    if (current) await api.mutate(DashboardSignOutDocument);
  } finally {
    forget();
  }
}

// Another tab signed in or out: follow it.
addEventListener("storage", (event) => {
  if (event.key !== KEY) return;
  const next = read();
  if (next?.token === current?.token) return;
  if (!next) return forget();
  current = next;
  void api.close();
  changed();
});
if (current) changed();
