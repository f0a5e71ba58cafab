// Sign-in with email and password (the API's signIn). `next` is where the person was when the
// session ended (or the link they opened): they go back there once signed in.
import { useRef, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { signIn } from "../api/session.js";
import { PageHeading } from "../ui/page.js";
import { navigate } from "../ui/router.js";

export function SignIn({ next, ended }: { next: string; ended: boolean }) {
  const [error, setError] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const email = useRef<HTMLInputElement>(null);

  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError("");
    try {
      await signIn(String(form.get("email") ?? ""), String(form.get("password") ?? ""));
      navigate(next, { replace: true });
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
      email.current?.focus();
    }
  };

  return (
    <main id="main" class="sign-in">
      <p class="brand" aria-hidden="true">paygraph</p>
      <PageHeading title="Sign in to the dashboard" />
      {ended && <p class="notice">Your session ended. Sign in again to go back where you were.</p>}
      <form onSubmit={submit} aria-describedby="sign-in-error">
        <div class="field">
          <label for="email">Email</label>
          <input ref={email} id="email" name="email" type="email" autocomplete="username" required />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required minLength={12} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
      <p id="sign-in-error" role="alert" class="alert">{error}</p>
    </main>
  );
}
