import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../messages';
import { malformedRequest } from './malformed-requests';

function post(path: string, body: BodyInit, headers: Record<string, string>): Request {
  return new Request(`http://localhost${path}`, { method: 'POST', body, headers });
}

describe('requests Next cannot take apart', () => {
  it.each(['/api/chirps/%zz', '/users/%E0%A4%A', '/api/sessions/%', '/login/%ff'])(
    'a path that is not percent-encoded UTF-8: %s',
    async (path) => {
      const request = new Request(`http://localhost${path}`);
      expect(await malformedRequest(request, path, !path.startsWith('/api/'))).toBe(MESSAGES.malformed_path);
    },
  );

  it('a path with ordinary escapes is fine', async () => {
    const path = '/users/a%20b%C3%A9';
    expect(await malformedRequest(new Request(`http://localhost${path}`), path, true)).toBeNull();
  });

  it('a server action posted to an API route; to a page it is Next’s to judge', async () => {
    const request = post('/api/polka/webhooks', '[]', { 'next-action': '0'.repeat(42) });
    expect(await malformedRequest(request, '/api/polka/webhooks', false)).toBe(MESSAGES.action_off_page);
    expect(await malformedRequest(post('/', '[]', { 'next-action': '0'.repeat(42) }), '/', true)).toBeNull();
  });

  it('a multipart post to a page whose body is no multipart form, and leaves a real form readable', async () => {
    const garbage = post('/login', '[[]]', { 'content-type': 'multipart/form-data; boundary=----x' });
    expect(await malformedRequest(garbage, '/login', true)).toBe(MESSAGES.malformed_form);
    const form = new FormData();
    form.set('email', 'someone@example.com');
    const real = new Request('http://localhost/login', { method: 'POST', body: form });
    expect(await malformedRequest(real, '/login', true)).toBeNull();
    expect((await real.formData()).get('email')).toBe('someone@example.com');
  });

  it('refuses a broken multipart body on any path (Next renders a 404 page for unknown API paths, and reads it)', async () => {
    const request = post('/api/nothing-here', '[[]]', { 'content-type': 'multipart/form-data; boundary=----x' });
    expect(await malformedRequest(request, '/api/nothing-here', false)).toBe(MESSAGES.malformed_form);
    const json = post('/api/users', '[[]]', { 'content-type': 'application/json' });
    expect(await malformedRequest(json, '/api/users', false)).toBeNull();
  });
});
