// The dashboard's entry: renders the app into #app (index.html holds no script but this file's bundle).
import { render } from "preact";
import { refreshUser } from "./api/session.js";
import { App } from "./app.js";

const root = document.getElementById("app")!;
root.replaceChildren(); // the "Loading…" shown until this script ran
render(<App />, root);
// An error here is an ended session (handled by the api module) or no answer (the views show theirs).
refreshUser().catch(() => undefined);
