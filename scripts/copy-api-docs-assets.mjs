/**
 * Copies Swagger UI's script and stylesheet from node_modules into public/, where /docs/api loads
 * them from: static files are served from our own origin (no CDN, so the page works offline) and
 * are not carried by any server function. Runs before `next dev` and `next build` (package.json).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('swagger-ui-dist/package.json'));
const target = join(import.meta.dirname, '..', 'public', 'docs', 'api', 'assets', 'vendor');
mkdirSync(target, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE']) {
  copyFileSync(join(source, file), join(target, file));
}
