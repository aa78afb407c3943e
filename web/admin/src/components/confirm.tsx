// One confirmation dialog for the whole admin: `const confirm = useConfirm();
// if (await confirm({ ... })) …`. A native modal <dialog>: focus stays inside while it is
// open, Escape cancels, and focus returns to the button that opened it.
import { createContext, useCallback, useContext, useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface ConfirmOptions {
  title: string;
  body?: ReactNode;
  confirmLabel: string;
  /** a red confirm button, for removals and revocations */
  danger?: boolean;
}

type Confirm = (opts: ConfirmOptions) => Promise<boolean>;
const ConfirmContext = createContext<Confirm | null>(null);

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<{ opts: ConfirmOptions; resolve(ok: boolean): void } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();

  useEffect(() => {
    if (open && !dialog.current?.open) dialog.current?.showModal();
  }, [open]);

  const confirm = useCallback<Confirm>((opts) => new Promise<boolean>((resolve) => setOpen({ opts, resolve })), []);

  const finish = (ok: boolean) => {
    open?.resolve(ok);
    dialog.current?.close();
    setOpen(null);
  };

  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby={`${id}-title`}
        aria-describedby={open?.opts.body ? `${id}-body` : undefined}
        onCancel={(e) => {
          e.preventDefault();
          finish(false);
        }}
      >
        {open ? (
          <>
            <h2 id={`${id}-title`}>{open.opts.title}</h2>
            {open.opts.body ? (
              <div id={`${id}-body`} className="dialog-body">
                {open.opts.body}
              </div>
            ) : null}
            <div className="dialog-actions">
              <button type="button" className="button" autoFocus onClick={() => finish(false)}>
                Cancel
              </button>
              <button type="button" className={`button ${open.opts.danger ? 'danger' : 'primary'}`} onClick={() => finish(true)}>
                {open.opts.confirmLabel}
              </button>
            </div>
          </>
        ) : null}
      </dialog>
    </ConfirmContext.Provider>
  );
}

export function useConfirm(): Confirm {
  const ctx = useContext(ConfirmContext);
  if (!ctx) throw new Error('useConfirm outside ConfirmProvider');
  return ctx;
}
