// A confirmation as a modal <dialog>: the browser traps focus in it, closes it with Escape and
// gives focus back to the button that opened it.
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
    dialog.current?.showModal();
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
