'use client';

import type { Ref } from 'react';
import { useFormStatus } from 'react-dom';

type SubmitButtonProps = {
  label: string;
  pendingLabel: string;
  className?: string;
  disabled?: boolean;
  name?: string;
  value?: string;
  buttonRef?: Ref<HTMLButtonElement>;
};

/**
 * The submit button of a server-action form: once JavaScript runs it shows that the request is
 * under way and cannot be clicked twice. Without JavaScript it is a plain submit button.
 * With `name` and `value` it is one of several buttons of one form, and shows only its own request.
 */
export function SubmitButton(props: SubmitButtonProps) {
  const status = useFormStatus();
  const pending = status.pending && (props.name === undefined || status.data?.get(props.name) === props.value);
  return <SubmitButtonAs {...props} pending={pending} />;
}

/**
 * The same button when its form's status is already known: a list of many buttons in one form
 * reads the status once (useFormStatus) instead of once per button.
 */
export function SubmitButtonAs({
  label,
  pendingLabel,
  className,
  disabled = false,
  name,
  value,
  pending,
  buttonRef,
}: SubmitButtonProps & { pending: boolean }) {
  return (
    <button
      ref={buttonRef}
      type="submit"
      className={className}
      disabled={pending || disabled}
      aria-busy={pending || undefined}
      name={name}
      value={value}
    >
      {pending ? pendingLabel : label}
    </button>
  );
}
