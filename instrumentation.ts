/** Runs once when the server starts: refuse to serve on a configuration that cannot work. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { prepareServer } = await import('./lib/startup');
  await prepareServer();
}
