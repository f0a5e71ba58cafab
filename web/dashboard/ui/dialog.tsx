// A confirmation as a modal <dialog>: the browser traps focus in it, closes it with Escape and
// gives focus back to the button that opened it. When the confirmed action removed that button
// (an approved payment's card, a revoked key's row), focus goes to the heading of the part of the
// page the dialog was in, instead of falling to the top of the page.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  title: string;
  confirmLabel: string;
  busy: boolean;
  error: string;
  /** Resolves true when done: the dialog then closes (and the browser gives focus back to its opener). */
  onConfirm(): Promise<boolean>;
  onClose(): void;
  children?: ComponentChildren;
}

let dialogs = 0;

export function ConfirmDialog({ title, confirmLabel, busy, error, onConfirm, onClose, children }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useRef(`dialog-${++dialogs}`);
  useEffect(() => {
    const opener = document.activeElement;
    const home = dialog.current?.parentElement?.closest("section, main");
    dialog.current?.showModal();
    return () => {
      // After the render that unmounted the dialog (and maybe its opener's row).
      setTimeout(() => {
        if (opener?.isConnected || (document.activeElement && document.activeElement !== document.body)) return;
        const heading = home?.querySelector<HTMLElement>("h1, h2");
        if (!heading) return;
        heading.tabIndex = -1;
        heading.focus();
      });
    };
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby={`${id.current}-title`} onClose={onClose}>
      <form method="dialog" onSubmit={(event) => {
        event.preventDefault();
        if (!busy) void onConfirm().then((done) => done && dialog.current?.close());
      }}>
        <h2 id={`${id.current}-title`}>{title}</h2>
        {children}
        <p class="alert" role="alert">{error}</p>
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>Go back</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? "Working…" : confirmLabel}</button>
        </div>
      </form>
    </dialog>
  );
}
