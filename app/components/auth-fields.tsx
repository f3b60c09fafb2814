/** The pieces the sign-in and sign-up forms share: every input has a visible label. */

export function FormError({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

export function EmailField({ defaultValue }: { defaultValue?: string }) {
  return (
    <label>
      Email
      <input name="email" type="email" autoComplete="email" defaultValue={defaultValue} required />
    </label>
  );
}

export function PasswordField({
  autoComplete,
  minLength,
}: {
  autoComplete: 'current-password' | 'new-password';
  minLength?: number;
}) {
  return (
    <label>
      Password
      <input name="password" type="password" autoComplete={autoComplete} minLength={minLength} required />
    </label>
  );
}
