// The dashboard's entry: renders the app into #app (index.html holds no script but this file's bundle).
import { render } from "preact";
import { api, refreshUser } from "./api/session.js";
import { App } from "./app.js";

const root = document.getElementById("app")!;
root.replaceChildren(); // the "Loading…" shown until this script ran
render(<App />, root);
// The stored user (role, scopes) may be another tab's older sign-in: read it now, and again on every
// connection of the live socket, so a read that failed (no answer, a busy server) or a role changed
// meanwhile is caught up without a reload. An error here is an ended session (handled by the api
// module) or no answer (the next connection reads again).
refreshUser().catch(() => undefined);
api.onConnected(() => void refreshUser().catch(() => undefined));
