import { describe, expect, it } from 'vitest';
import { staticContentSecurityPolicy } from '@/lib/http/content-security-policy';
import { GET } from './route';

describe('GET /docs/api', () => {
  it('serves the API reference page with a policy that allows no inline script', async () => {
    const response = GET();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy');
    expect(policy).toBe(staticContentSecurityPolicy());
    expect(policy).toMatch(/script-src 'self'(;| 'unsafe-eval';)/);
  });

  it('loads the renderer and the document from our own origin only', async () => {
    const html = await GET().text();
    expect(html).toContain('<script src="/docs/api/assets/vendor/swagger-ui-bundle.js"></script>');
    expect(html).toContain('<script src="/docs/api/assets/start.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/docs/api/assets/vendor/swagger-ui.css">');
    expect(html).not.toMatch(/https?:\/\/|src="\/\/|href="\/\//);
    // No inline script: every <script> has a src.
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
  });
});
