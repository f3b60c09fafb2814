'use client';

import { useFormStatus } from 'react-dom';

/**
 * The submit button of a server-action form: once JavaScript runs it shows that the request is
 * under way and cannot be clicked twice. Without JavaScript it is a plain submit button.
 * With `name` and `value` it is one of several buttons of one form, and shows only its own request.
 */
export function SubmitButton({
  label,
  pendingLabel,
  className,
  disabled = false,
  name,
  value,
}: {
  label: string;
  pendingLabel: string;
  className?: string;
  disabled?: boolean;
  name?: string;
  value?: string;
}) {
  const status = useFormStatus();
  const pending = status.pending && (name === undefined || status.data?.get(name) === value);
  return (
    <button
      type="submit"
      className={className}
      disabled={pending || disabled}
      aria-busy={pending}
      name={name}
      value={value}
    >
      {pending ? pendingLabel : label}
    </button>
  );
}
