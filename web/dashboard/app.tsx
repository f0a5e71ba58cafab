// The dashboard's frame: which view a URL shows, the sign-in gate, and the navigation. New areas
// (Overview, Settings) are one entry in NAV and one route in `view`.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onSessionChange, session, signOut } from "./api/session.js";
import { SignIn } from "./auth/sign-in.js";
import { overviewFromQuery } from "./overview/range.js";
import { filterFromQuery } from "./payments/filter.js";
import { PaymentsView } from "./payments/payments-view.js";
import { settingsHome } from "./settings/access.js";
import { lazyView } from "./ui/lazy.js";
import { Link } from "./ui/link.js";
import { PageHeading } from "./ui/page.js";
import { BASE, here, navigate, safeNext, useRoute, type Route } from "./ui/router.js";

const NAV = [
  { href: `${BASE}/overview`, label: "Overview", section: "/overview" },
  { href: `${BASE}/payments`, label: "Payments", section: "/payments" },
  // Every role reads at least its team (users:read); /settings opens the first tab it may read.
  { href: `${BASE}/settings`, label: "Settings", section: "/settings" },
];
const SIGN_IN = "/sign-in";

// Loaded when first shown (ui/lazy.tsx); the payments list is in the main script.
const OverviewView = lazyView(() => import("./overview/overview-view.js").then((m) => m.OverviewView));
const PaymentView = lazyView(() => import("./payment/payment-view.js").then((m) => m.PaymentView));
const SettingsView = lazyView(() => import("./settings/settings-view.js").then((m) => m.SettingsView));

/** True once a session ended while this page was open (not by its own Sign out): sign-in says so. */
let sessionEnded = false;
let signingOut = false;
const leave = (): void => {
  signingOut = true;
  void signOut();
};

/** Whether someone is signed in; re-renders on every change of the session (its user re-read too). */
function useSignedIn(): boolean {
  const [, setVersion] = useState(0);
  useEffect(() => onSessionChange(() => {
    const now = session() !== undefined;
    if (!now) sessionEnded = !signingOut;
    if (now) signingOut = false;
    setVersion((v) => v + 1);
  }), []);
  return session() !== undefined;
}

function view(route: Route) {
  const payment = /^\/payments\/([A-Za-z0-9_]+)$/.exec(route.path);
  if (payment) return <PaymentView id={payment[1]!} key={payment[1]} />;
  if (route.path === "/payments") return <PaymentsView filter={filterFromQuery(route.query)} />;
  if (route.path === "/overview") return <OverviewView view={overviewFromQuery(route.query)} />;
  if (route.path === "/settings") return null; // App goes on to the first tab the role may read
  const settings = /^\/settings\/([a-z-]+)$/.exec(route.path);
  if (settings) return <SettingsView tab={settings[1]!} />;
  return (
    <main id="main">
      <PageHeading title="Not found" />
      <p>There is nothing at this address. <Link href={`${BASE}/overview`}>Go to the overview</Link>.</p>
    </main>
  );
}

export function App() {
  const route = useRoute();
  const signedIn = useSignedIn();
  const onSignIn = route.path === SIGN_IN;
  // Keep where the person was: after signing in (again) they land back on it.
  useEffect(() => {
    if (!signedIn && !onSignIn) navigate(`${BASE}${SIGN_IN}?next=${encodeURIComponent(here())}`, { replace: true });
    else if (signedIn && onSignIn) navigate(safeNext(route.query.get("next")), { replace: true });
    else if (signedIn && route.path === "") navigate(`${BASE}/overview`, { replace: true });
    else if (signedIn && route.path === "/settings") navigate(settingsHome(session()!.user.scopes), { replace: true });
  }, [signedIn, onSignIn, route.path]);

  if (onSignIn) return signedIn ? null : <SignIn next={safeNext(route.query.get("next"))} ended={sessionEnded} />;
  if (!signedIn || route.path === "") return null;
  const user = session()!.user;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <p class="brand">paygraph</p>
        <nav aria-label="Dashboard">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={route.path.startsWith(item.section) ? "page" : undefined}>{item.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>{user.name} <span class="muted">({user.role.toLowerCase()})</span></span>
          <button type="button" onClick={leave}>Sign out</button>
        </div>
      </header>
      {/* Keyed by the user: when another tab signs in as someone else, every view starts afresh
          (no rows or subscriptions of the previous user's merchant survive). */}
      <Fragment key={user.userId}>{view(route)}</Fragment>
    </>
  );
}
