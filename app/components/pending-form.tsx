'use client';

import { type ReactNode, useEffect, useState } from 'react';

/**
 * A plain HTML form (it works with JavaScript off) whose button shows that the request is under
 * way once JavaScript runs, so nobody clicks twice wondering whether anything happened.
 */
export function PendingForm({
  action,
  submitLabel,
  pendingLabel,
  className,
  buttonClassName,
  children,
}: {
  action: string;
  submitLabel: string;
  pendingLabel: string;
  className?: string;
  buttonClassName?: string;
  children?: ReactNode;
}) {
  const [pending, setPending] = useState(false);
  // Coming back with the browser's Back button restores the page as it was left: pending.
  useEffect(() => {
    const reset = () => setPending(false);
    window.addEventListener('pageshow', reset);
    return () => window.removeEventListener('pageshow', reset);
  }, []);
  return (
    <form method="post" action={action} className={className} onSubmit={() => setPending(true)}>
      {children}
      <button type="submit" className={buttonClassName} disabled={pending} aria-busy={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
