/** The pieces the sign-in, sign-up and account forms share: every input has a visible label. */

export function FormError({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** A confirmation: announced politely, where an error is announced at once. */
export function FormNotice({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p className="notice" role="status">
      {message}
    </p>
  );
}

/** `autoComplete`: the sign-in form's `username webauthn` also offers the browser's passkeys there. */
export function EmailField({
  defaultValue,
  label = 'Email',
  autoComplete = 'email',
}: {
  defaultValue?: string;
  label?: string;
  autoComplete?: 'email' | 'username webauthn';
}) {
  return (
    <label>
      {label}
      <input name="email" type="email" autoComplete={autoComplete} defaultValue={defaultValue} required />
    </label>
  );
}

export function PasswordField({
  autoComplete,
  minLength,
  label = 'Password',
  name = 'password',
}: {
  autoComplete: 'current-password' | 'new-password';
  minLength?: number;
  label?: string;
  name?: string;
}) {
  return (
    <label>
      {label}
      <input name={name} type="password" autoComplete={autoComplete} minLength={minLength} required />
    </label>
  );
}
