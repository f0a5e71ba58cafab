// A secret shown the one time the API returns it (a key's secret, a webhook signing secret, an
// invitation token): paygraph stores only its hash, so the page says so, offers Copy, and drops
// the secret from memory when the person is done. Focus moves to its heading so a screen reader
// reads it out and Tab reaches Copy next.
import { useEffect, useRef, useState } from "preact/hooks";

interface Props { title: string; label: string; secret: string; note?: string; onDone(): void }

export function SecretOnce({ title, label, secret, note, onDone }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState("");
  useEffect(() => heading.current?.focus(), [secret]);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied.");
    } catch {
      // No clipboard (plain http outside localhost, a denied permission): select it for Ctrl+C.
      field.current?.select();
      setCopied("Selected: press Ctrl+C (⌘C) to copy.");
    }
  };
  return (
    <section class="secret-once panel" aria-labelledby="secret-title">
      <h2 id="secret-title" ref={heading} tabIndex={-1}>{title}</h2>
      <p class="notice"><strong>Copy it now: you will not see it again.</strong> paygraph keeps only a hash of it. {note}</p>
      <label for="secret-value">{label}</label>
      <div class="secret-row">
        <input id="secret-value" ref={field} class="mono" readOnly value={secret} autocomplete="off" spellcheck={false} />
        <button type="button" onClick={copy}>Copy</button>
      </div>
      <p class="status-line" role="status">{copied}</p>
      <button type="button" class="primary" onClick={onDone}>Done, I have stored it</button>
    </section>
  );
}
