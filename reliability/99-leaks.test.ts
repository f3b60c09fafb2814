import { describe, expect, it } from 'vitest';
import { findings, runDir, stats } from './harness/client';
import { query, withDatabase } from './harness/database';
import { report } from './harness/report';
import { readSecrets, recordSecrets, scanServerOutput } from './harness/secrets';

/**
 * Last, after every other part: nothing the suite handled leaked. The servers' combined output
 * holds no token, password or password hash; no error answer carried a stack trace, SQL or a
 * file path; the database keeps no refresh token (nor any other secret) in plaintext; and every
 * answer the app gave carried the security headers. (The global teardown scans the output once
 * more after the servers have stopped.)
 */

const REFRESH_TOKEN = /^[0-9a-f]{64}$/;
/**
 * The shapes of the suite's other secrets: access tokens, the passwords it makes, the servers' keys,
 * authenticator-app secrets (base32) and recovery codes.
 */
const OTHER_SECRETS =
  /eyJ[\w-]+\.[\w-]+\.[\w-]*|Pw-[0-9a-f]{24}|(?:polka|cron)-[0-9a-f]{32}|[A-Z2-7]{32}|[a-z2-9]{4}(?:-[a-z2-9]{4}){3}/g;

describe('leaks, after the whole suite', () => {
  it('the servers’ output holds no token, password or password hash the suite handled', async () => {
    const hashes = await query<{ hashed_password: string }>('select hashed_password from users');
    recordSecrets(runDir, ...hashes.map((row) => row.hashed_password));
    const secrets = readSecrets(runDir);
    report(runDir, 'leaks', { secretsLookedFor: secrets.size, passwordHashes: hashes.length });
    expect(secrets.size).toBeGreaterThan(1_000);
    // The second-factor part's secrets are among them: the TOTP key and the recovery codes.
    expect([...secrets].filter((secret) => /^[A-Z2-7]{32}$/.test(secret))).not.toEqual([]);
    expect([...secrets].filter((secret) => /^[a-z2-9]{4}(?:-[a-z2-9]{4}){3}$/.test(secret))).toHaveLength(10);
    expect(scanServerOutput(runDir)).toEqual([]);
  });

  it('no error answer carried a stack trace, SQL or a file path', () => {
    report(runDir, 'error bodies', { errorAnswersInspected: findings.errorsSeen });
    expect(findings.errorsSeen).toBeGreaterThan(500);
    expect(findings.errorBodies.slice(0, 10)).toEqual([]);
  });

  it('every answer the app gave carried nosniff, a Referrer-Policy and frame-ancestors none', () => {
    report(runDir, 'security headers', {
      answersInspected: stats.requests,
      refusedByNodesParserBeforeTheApp: findings.parserRejections,
    });
    expect(findings.headers.slice(0, 10)).toEqual([]);
  });

  it('no text column of any table holds a refresh token, access token, password or secret in plaintext', async () => {
    const secrets = [...readSecrets(runDir)];
    const refreshTokens = new Set(secrets.filter((secret) => REFRESH_TOKEN.test(secret)));
    const others = new Set(secrets.filter((secret) => !REFRESH_TOKEN.test(secret) && !secret.startsWith('$2')));
    expect(refreshTokens.size).toBeGreaterThan(500);
    const { cells, found } = await withDatabase(async (client) => {
      const { rows: columns } = await client.query<{ table_schema: string; table_name: string; column_name: string }>(
        `select table_schema, table_name, column_name from information_schema.columns
         where table_schema in ('public', 'drizzle') and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
      );
      let scanned = 0;
      const hits: string[] = [];
      for (const column of columns) {
        const { rows } = await client.query<{ value: string | null }>(
          `select "${column.column_name}"::text as value from "${column.table_schema}"."${column.table_name}"`,
        );
        for (const { value } of rows) {
          if (value === null) continue;
          scanned += 1;
          // Every 64-character window of each hex run: a token inside a longer value counts too.
          for (const run of value.match(/[0-9a-f]{64,}/g) ?? []) {
            for (let at = 0; at + 64 <= run.length; at++) {
              if (refreshTokens.has(run.slice(at, at + 64))) hits.push(`${column.table_name}.${column.column_name}`);
            }
          }
          for (const candidate of value.match(OTHER_SECRETS) ?? []) {
            if (others.has(candidate))
              hits.push(`${column.table_name}.${column.column_name}: ${candidate.slice(0, 6)}…`);
          }
        }
      }
      return { cells: scanned, found: hits };
    });
    report(runDir, 'database scan', { textCellsScanned: cells, refreshTokensLookedFor: refreshTokens.size });
    expect(cells).toBeGreaterThan(1_000);
    expect(found).toEqual([]);
  });
});
