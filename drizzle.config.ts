import { defineConfig } from 'drizzle-kit';

// `generate` needs no database; `npm run db:migrate` uses scripts/migrate.ts, which goes through
// lib/db so it honours the same driver choice and PGlite lock as the app.
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema.ts',
  out: './drizzle',
});
