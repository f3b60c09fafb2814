import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAsDevelopmentServer } from '@/test/development-server';
import { CATCHER_PASSWORD, CATCHER_USER } from '@/test/mail-catcher';
import { mailCatcherForThisFile } from '@/test/password-reset';
import { describeMailFailure, sendMail } from './mail';

const { catcher } = mailCatcherForThisFile();

const MESSAGE = {
  to: 'ada@example.com',
  subject: 'Hello',
  text: 'Open https://chirpy.example.com/x?token=secret-token-value',
  html: '<p>Open <a href="https://chirpy.example.com/x?token=secret-token-value">this</a></p>',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sendMail over SMTP', () => {
  it('logs in with the credentials in SMTP_URL and sends text and HTML from MAIL_FROM', async () => {
    expect(await sendMail(MESSAGE)).toEqual({ ok: true });

    expect(await catcher().mail(0)).toEqual({
      from: 'no-reply@chirpy.example.com',
      to: ['ada@example.com'],
      subject: 'Hello',
      text: MESSAGE.text,
      html: MESSAGE.html,
    });
  });

  it('reports a refused message by its codes only, never by what the server said', async () => {
    catcher().refuseMessages(true);

    const sent = await sendMail(MESSAGE);

    expect(sent).toEqual({ ok: false, failure: 'EMESSAGE, SMTP 550' });
    expect(catcher().refused).toHaveLength(1);
  });

  it('reports a wrong login without the password', async () => {
    vi.stubEnv('SMTP_URL', catcher().url.replace(CATCHER_PASSWORD, 'wrong-password'));

    const sent = await sendMail(MESSAGE);

    expect(sent).toEqual({ ok: false, failure: 'EAUTH, SMTP 535' });
    expect(JSON.stringify(sent)).not.toContain('wrong-password');
    expect(JSON.stringify(sent)).not.toContain(CATCHER_USER);
  });

  it('reports a server that is not there, quickly', async () => {
    vi.stubEnv('SMTP_URL', 'smtp://user:pass@127.0.0.1:1');
    const started = Date.now();

    const sent = await sendMail(MESSAGE);

    expect(sent).toMatchObject({ ok: false, failure: expect.stringMatching(/^E[A-Z]+$/) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('sendMail without SMTP_URL', () => {
  it('under next dev prints the whole mail, link included, to the server output (npm run dev needs no mail server)', async () => {
    runAsDevelopmentServer();
    vi.stubEnv('SMTP_URL', '');
    const printed = vi.spyOn(console, 'info').mockImplementation(() => {});

    expect(await sendMail(MESSAGE)).toEqual({ ok: true });

    const output = printed.mock.calls.map((call) => call.join(' ')).join('\n');
    expect(output).toContain('To: ada@example.com');
    expect(output).toContain('Subject: Hello');
    expect(output).toContain('https://chirpy.example.com/x?token=secret-token-value');
    expect(catcher().mails).toEqual([]);
  });

  it.each(['production', 'staging', 'test', 'development'])(
    'outside next dev (NODE_ENV=%s) refuses, printing nothing (the server does not start that way)',
    async (nodeEnv) => {
      vi.stubEnv('SMTP_URL', '');
      vi.stubEnv('NODE_ENV', nodeEnv);
      const printed = vi.spyOn(console, 'info').mockImplementation(() => {});

      await expect(sendMail(MESSAGE)).rejects.toThrow(/SMTP_URL/);
      expect(printed).not.toHaveBeenCalled();
    },
  );
});

describe('describeMailFailure', () => {
  it("keeps an error's code and SMTP reply code, and drops its message", () => {
    const error = Object.assign(new Error('550 rejected: token=secret-token-value'), {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 rejected: token=secret-token-value',
    });
    expect(describeMailFailure(error)).toBe('EENVELOPE, SMTP 550');
  });

  it('names only the class of an error without codes, and nothing of something stranger', () => {
    expect(describeMailFailure(new TypeError('token=secret-token-value'))).toBe('TypeError');
    expect(describeMailFailure({ code: 'token=secret-token-value' })).toBe('unknown error');
    expect(describeMailFailure('token=secret-token-value')).toBe('unknown error');
  });
});
