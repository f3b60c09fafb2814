import { closeDb } from '../lib/db/client';
import { cleanUpExpiredData } from '../lib/housekeeping';

/**
 * `npm run db:cleanup`: the housekeeping the daily cron does on Vercel (GET /api/cron/cleanup),
 * for any other deployment's scheduler (cron, a Kubernetes CronJob). Same database choice as the
 * app; on the embedded database it takes the same lock, so stop `npm run dev` first.
 */
async function main(): Promise<void> {
  try {
    const report = await cleanUpExpiredData();
    console.log(
      `Deleted ${report.refresh_tokens} refresh tokens, ${report.password_reset_tokens} password-reset tokens, ` +
        `${report.email_tokens} email links, ${report.sign_in_challenges} pending sign-in steps, ` +
        `${report.webauthn_challenges} passkey challenges, ${report.rate_limits} rate-limit counters and ` +
        `${report.auth_events} audit events in ${report.batches} batches (${report.duration_ms} ms).`,
    );
  } finally {
    await closeDb();
  }
}

main().catch((error: unknown) => {
  console.error(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
