import { resolveJwtSecrets } from '../lib/auth/jwt-secret';
import { closeDb, getDb, openDatabase, selectDriver } from '../lib/db/client';

/**
 * `npm run db:migrate`: applies the committed SQL in drizzle/ to the configured database (the
 * same choice the app makes: DATABASE_URL, POSTGRES_URL on Vercel, or the embedded one). Applied
 * migrations are recorded, so running it again changes nothing.
 */
async function main(): Promise<void> {
  if (process.env.CHIRPY_SKIP_MIGRATIONS === '1') {
    // For builds that have no database to migrate (CI's check of the Vercel build output).
    console.log('Migrations skipped: CHIRPY_SKIP_MIGRATIONS=1.');
    return;
  }
  const selection = selectDriver(process.env);
  if (!selection.ok) throw new Error(selection.error);
  // On Vercel this runs as the build step: fail the build, not the first cold start, when the
  // deployment could not run anyway.
  if (process.env.VERCEL) resolveJwtSecrets();
  const { choice } = selection;
  if (choice.driver === 'pglite') {
    // Opening the embedded database migrates it, under the same lock the app takes.
    await getDb();
    await closeDb();
    console.log(`Migrations applied to the embedded database in ${choice.dataDir}.`);
    return;
  }
  const open = await openDatabase(choice);
  try {
    await open.migrate();
  } finally {
    await open.close();
  }
  const target = new URL(choice.url);
  console.log(`Migrations applied with ${choice.driver} to ${target.hostname}${target.pathname}.`);
}

/** The error and its causes, one per line: "Failed query: CREATE SCHEMA…" alone says nothing of why. */
function explain(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && lines.length < 4) {
    lines.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n  caused by: ');
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${explain(error)}`);
  process.exit(1);
});
