/**
 * What the reliability suite starts its two production servers with, and what its parts rely on.
 * Every limit is raised out of the way except the one the rate-limiter part measures
 * (`LOGIN_ACCOUNT_LIMIT`, sign-ins at one account from one address).
 */

/** Sign-ins at one account from one client address per window: the limit the suite measures. */
export const LOGIN_ACCOUNT_LIMIT = 5;

/**
 * Short, so that the soak's browsers keep renewing their access cookie through the proxy (the
 * path that rotates refresh tokens) instead of living on one five-minute token.
 */
export const SESSION_ACCESS_TTL_SECONDS = 4;

/** Out of the way: every other limit. */
const RAISED = '1000000';

/**
 * The servers sit behind one proxy as far as they know (TRUST_PROXY=1): the suite's client
 * addresses are the X-Forwarded-For entries it writes, so each part can speak from addresses of its
 * own and no part spends another's sign-in budget. The peer (127.0.0.1) is used when none is sent.
 */
/** The servers' MFA_ENCRYPTION_KEY: made from their JWT secret, so a part can seal a secret as they do. */
export function mfaKeyFor(jwtSecret: string): string {
  return `${jwtSecret}-mfa`;
}

export function serverEnvironment(settings: {
  port: number;
  databaseUrl: string;
  jwtSecret: string;
  polkaKey: string;
  cronSecret: string;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(settings.port),
    DATABASE_URL: settings.databaseUrl,
    JWT_SECRET: settings.jwtSecret,
    MFA_ENCRYPTION_KEY: mfaKeyFor(settings.jwtSecret),
    POLKA_KEY: settings.polkaKey,
    CRON_SECRET: settings.cronSecret,
    TRUST_PROXY: '1',
    // Resets stay on, so the fuzzing reaches their routes; the mail goes to a closed loopback port
    // (each send fails at once and is logged without its link, which the leak check holds to).
    APP_URL: `http://127.0.0.1:${settings.port}`,
    SMTP_URL: 'smtp://127.0.0.1:9',
    // Cheaper hashes keep the suite inside its time on two cores; nothing here measures bcrypt.
    BCRYPT_COST: '6',
    SESSION_ACCESS_TTL_SECONDS: String(SESSION_ACCESS_TTL_SECONDS),
    RATE_LIMIT_LOGIN_IP_MAX: RAISED,
    RATE_LIMIT_LOGIN_ACCOUNT_MAX: String(LOGIN_ACCOUNT_LIMIT),
    RATE_LIMIT_SIGNUP_IP_MAX: RAISED,
    RATE_LIMIT_REFRESH_MAX: RAISED,
    RATE_LIMIT_ROTATION_MAX: RAISED,
  };
}

/** How long a request may take before the suite calls it a hang. */
export const REQUEST_TIMEOUT_MS = 15_000;
