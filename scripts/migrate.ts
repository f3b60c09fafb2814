import { closeDb, getDb, openDatabase, selectDriver } from '../lib/db/client';

/**
 * `npm run db:migrate`: applies the committed SQL in drizzle/ to the configured database (the
 * same choice the app makes: DATABASE_URL, POSTGRES_URL on Vercel, or the embedded one). Applied
 * migrations are recorded, so running it again changes nothing.
 */
async function main(): Promise<void> {
  const selection = selectDriver(process.env);
  if (!selection.ok) throw new Error(selection.error);
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

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
