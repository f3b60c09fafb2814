import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SERVER_ENV, environment } from '@/test/development-server';
import { errorOf } from '@/test/fixtures';
import { checkConfiguration } from './startup';

const SECRET = 'a-production-secret-of-at-least-32-characters';
const MFA_KEY = 'a-production-mfa-key-of-at-least-32-characters';
const KEYS = { JWT_SECRET: SECRET, MFA_ENCRYPTION_KEY: MFA_KEY };
const NEON_URL = 'postgres://user:pw@ep-example-pooler.us-east-1.aws.neon.tech/chirpy';
// Password resets are on by default, and in production they need a mail server and the site's origin.
const MAIL = { SMTP_URL: 'smtp://chirpy:smtp-password@smtp.example.com:587', APP_URL: 'https://chirpy.example.com' };

describe('checkConfiguration', () => {
  it('accepts a complete Vercel configuration', () => {
    expect(() =>
      checkConfiguration({
        NODE_ENV: 'production',
        VERCEL: '1',
        ...KEYS,
        POSTGRES_URL: NEON_URL,
        ...MAIL,
      }),
    ).not.toThrow();
  });

  it('refuses to start on Vercel without a database URL', () => {
    expect(() => checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', ...KEYS })).toThrow(
      /^No database configured on Vercel: set POSTGRES_URL/,
    );
    expect(() =>
      checkConfiguration({
        NODE_ENV: 'production',
        VERCEL: '1',
        ...KEYS,
        POSTGRES_URL: '',
      }),
    ).toThrow(/No database configured on Vercel/);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => checkConfiguration({ NODE_ENV: 'production', VERCEL: '1', POSTGRES_URL: NEON_URL })).toThrow(
      /^JWT_SECRET is required/,
    );
    expect(() => checkConfiguration({ NODE_ENV: 'production', CHIRPY_DATA_DIR: 'memory:', JWT_SECRET: ' ' })).toThrow(
      /JWT_SECRET is required/,
    );
  });

  it('refuses to start without JWT_SECRET outside next dev, whatever NODE_ENV says', () => {
    for (const NODE_ENV of ['staging', 'test', 'development', undefined]) {
      expect(() => checkConfiguration(environment(NODE_ENV, { CHIRPY_DATA_DIR: 'memory:', ...MAIL }))).toThrow(
        /^JWT_SECRET is required/,
      );
    }
  });

  it('refuses to start in production without MFA_ENCRYPTION_KEY, or with a short one', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: SECRET, CHIRPY_DATA_DIR: 'memory:', ...MAIL } as const;
    expect(() => checkConfiguration(production)).toThrow(/^MFA_ENCRYPTION_KEY is required/);
    expect(() => checkConfiguration({ ...production, MFA_ENCRYPTION_KEY: 'short' })).toThrow(
      /^MFA_ENCRYPTION_KEY must be at least 32 characters/,
    );
  });

  it('runs without JWT_SECRET under next dev, on a development secret', () => {
    expect(() =>
      checkConfiguration(environment('development', { ...DEVELOPMENT_SERVER_ENV, CHIRPY_DATA_DIR: 'memory:' })),
    ).not.toThrow();
  });

  it('lets a production build run on the embedded database off Vercel', () => {
    expect(() =>
      checkConfiguration({
        NODE_ENV: 'production',
        ...KEYS,
        CHIRPY_DATA_DIR: 'memory:',
        ...MAIL,
      }),
    ).not.toThrow();
  });
});

describe('checkConfiguration: password resets', () => {
  const production = {
    NODE_ENV: 'production',
    ...KEYS,
    CHIRPY_DATA_DIR: 'memory:',
  } as const;

  it('refuses to start in production without SMTP_URL, naming it and the way out', () => {
    const error = errorOf(() => checkConfiguration({ ...production, APP_URL: MAIL.APP_URL }));
    expect(error).toHaveProperty('message', expect.stringMatching(/^SMTP_URL is required/));
    expect(error).toHaveProperty('message', expect.stringContaining('PASSWORD_RESET_ENABLED=false'));
    expect(() => checkConfiguration({ ...production, SMTP_URL: ' ', APP_URL: MAIL.APP_URL })).toThrow(
      /SMTP_URL is required/,
    );
  });

  it("refuses to start in production without APP_URL: links must never follow a request's Host", () => {
    expect(() => checkConfiguration({ ...production, SMTP_URL: MAIL.SMTP_URL })).toThrow(/^APP_URL is required/);
  });

  it('refuses to start without SMTP_URL or APP_URL outside next dev, whatever NODE_ENV says', () => {
    for (const NODE_ENV of ['staging', 'test', 'development', undefined]) {
      const server = { ...KEYS, CHIRPY_DATA_DIR: 'memory:' };
      expect(() => checkConfiguration(environment(NODE_ENV, { ...server, SMTP_URL: MAIL.SMTP_URL }))).toThrow(
        /^APP_URL is required/,
      );
      expect(() => checkConfiguration(environment(NODE_ENV, { ...server, APP_URL: MAIL.APP_URL }))).toThrow(
        /^SMTP_URL is required/,
      );
    }
  });

  it('starts in production without either when resets are turned off', () => {
    for (const off of ['false', '0', 'no', 'OFF']) {
      expect(() => checkConfiguration({ ...production, PASSWORD_RESET_ENABLED: off })).not.toThrow();
    }
  });

  it('needs neither under next dev: mails are printed, links follow the request', () => {
    expect(() =>
      checkConfiguration({ ...DEVELOPMENT_SERVER_ENV, NODE_ENV: 'development', CHIRPY_DATA_DIR: 'memory:' }),
    ).not.toThrow();
  });

  it("stops on malformed values with the variable's name, never quoting SMTP_URL's password", () => {
    const development = { ...DEVELOPMENT_SERVER_ENV, NODE_ENV: 'development', CHIRPY_DATA_DIR: 'memory:' } as const;
    for (const [name, value] of [
      ['SMTP_URL', 'http://user:hunter2-secret@smtp.example.com'],
      ['SMTP_URL', 'not a url hunter2-secret'],
      ['APP_URL', 'chirpy.example.com'],
      ['APP_URL', 'https://chirpy.example.com/some/path'],
      ['MAIL_FROM', 'Chirpy'],
      ['PASSWORD_RESET_ENABLED', 'maybe'],
      ['PASSWORD_RESET_TTL_MINUTES', '0'],
    ] as const) {
      const error = errorOf(() => checkConfiguration({ ...development, [name]: value }));
      expect(error).toHaveProperty('message', expect.stringContaining(name));
      expect(error).toHaveProperty('message', expect.not.stringContaining('hunter2'));
    }
  });

  it('accepts both SMTP forms and a sender with a name', () => {
    for (const SMTP_URL of ['smtp://u:p@smtp.example.com:587', 'smtps://u:p@smtp.example.com:465']) {
      expect(() =>
        checkConfiguration({ ...production, ...MAIL, SMTP_URL, MAIL_FROM: 'Chirpy <hello@chirpy.example.com>' }),
      ).not.toThrow();
    }
  });
});
