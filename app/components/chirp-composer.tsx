'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { FormError } from './auth-fields';

const MAX_LENGTH = 140;

/**
 * Posts a chirp through the same JSON API clients use; the browser's session cookie
 * authenticates it (same-origin, so the proxy's CSRF rule lets it through).
 */
export function ChirpComposer() {
  const router = useRouter();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const response = await fetch('/api/chirps', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ body }),
      });
      if (response.ok) {
        setBody('');
        router.refresh();
        return;
      }
      const payload: unknown = await response.json().catch(() => null);
      const message =
        typeof payload === 'object' && payload !== null && 'error' in payload && typeof payload.error === 'string'
          ? payload.error
          : 'Could not post your chirp';
      if (response.status === 401) router.refresh();
      setError(message);
    } catch {
      setError('Network error: your chirp was not posted');
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit}>
      <label>
        New chirp
        <textarea name="body" rows={3} maxLength={MAX_LENGTH} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <FormError message={error} />
      <button type="submit" disabled={pending || body.trim() === ''} aria-busy={pending}>
        {pending ? 'Posting…' : 'Chirp'}
      </button>
    </form>
  );
}
