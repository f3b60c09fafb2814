'use client';

import { useFormStatus } from 'react-dom';

/**
 * The submit button of a server-action form: once JavaScript runs it shows that the request is
 * under way and cannot be clicked twice. Without JavaScript it is a plain submit button.
 */
export function SubmitButton({
  label,
  pendingLabel,
  className,
  disabled = false,
}: {
  label: string;
  pendingLabel: string;
  className?: string;
  disabled?: boolean;
}) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={className} disabled={pending || disabled} aria-busy={pending}>
      {pending ? pendingLabel : label}
    </button>
  );
}
