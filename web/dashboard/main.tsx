// The dashboard's entry: renders the app into #app (index.html holds no script but this file's bundle).
import { render } from "preact";
import { App } from "./app.js";

const root = document.getElementById("app")!;
root.replaceChildren(); // the "Loading…" shown until this script ran
render(<App />, root);
