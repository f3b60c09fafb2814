import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/current-user';
import { loginPath } from '@/lib/auth/redirects';
import { listChirps } from '@/lib/chirps';
import { ChirpComposer } from './components/chirp-composer';

export default async function HomePage() {
  const user = await getCurrentUser();
  if (!user) redirect(loginPath('/'));
  const chirps = await listChirps({ author_id: user.id, sort: 'desc' });
  return (
    <>
      <h1>Welcome back</h1>
      <p data-testid="welcome">You are signed in as {user.email}.</p>
      <ChirpComposer />
      <h2>Your chirps</h2>
      {chirps.length === 0 ? (
        <p className="hint">Nothing yet. Say something!</p>
      ) : (
        <ul className="chirps">
          {chirps.map((chirp) => (
            <li key={chirp.id}>
              {chirp.body}
              <time dateTime={chirp.createdAt.toISOString()}>{chirp.createdAt.toUTCString()}</time>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
