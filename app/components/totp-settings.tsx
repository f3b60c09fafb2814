'use client';

import { useActionState } from 'react';
import {
  confirmTotpAction,
  regenerateRecoveryCodesAction,
  startTotpAction,
  turnOffTotpAction,
} from '@/app/actions/second-factor';
import type { SecondFactorStatus } from '@/lib/auth/second-factor';
import { INITIAL_TOTP_FORM, type TotpFormState } from '@/lib/form-states';
import { AccountFormMessages } from './account-forms';
import { PasswordField } from './auth-fields';
import { PasskeyStepUp } from './passkey-forms';
import { SubmitButton } from './submit-button';

function CodeField({ label }: { label: string }) {
  return (
    <label>
      {label}
      <input name="code" type="text" autoComplete="one-time-code" spellCheck={false} maxLength={64} required />
    </label>
  );
}

/** A set of recovery codes, just made: the only time they are shown. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  if (codes.length === 0) return null;
  return (
    <div className="stack" data-testid="recovery-codes">
      <p>
        <strong>Your recovery codes.</strong> Each signs you in once without the app. Keep them somewhere safe (a
        password manager, a printout): they are not shown again.
      </p>
      <ul className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The QR code and the key as text, for apps that cannot scan (or a phone that is the screen). */
function Enrolment({ keyText, qrSvg, confirm }: { keyText: string; qrSvg: string; confirm: (data: FormData) => void }) {
  return (
    <div className="stack">
      <p>Scan this with your authenticator app, then enter the 6-digit code it shows.</p>
      {/* biome-ignore lint/performance/noImgElement: a data: URL of an SVG drawn on the server; nothing to optimise */}
      <img
        src={`data:image/svg+xml;base64,${btoa(qrSvg)}`}
        alt="QR code for your authenticator app"
        width={200}
        height={200}
      />
      <p className="hint">
        Or enter this key by hand: <code data-testid="totp-key">{keyText}</code>
      </p>
      <form action={confirm} className="stack" data-testid="confirm-totp">
        <CodeField label="Code from the app" />
        <SubmitButton label="Turn on two-step sign-in" pendingLabel="Checking…" />
      </form>
    </div>
  );
}

/**
 * Every form of the section lives in this one component, whatever the state: the answer that
 * carries the recovery codes must survive the page's switch from "setting up" to "on", with
 * JavaScript (the same component re-rendered) and without it (the page rendered with the form's state).
 * Where a form asks for the current password, one of the account's passkeys may stand in for it
 * (`passkeyStepUp`); turning it off still asks for a code.
 */
export function TotpSettings({ status, passkeyStepUp }: { status: SecondFactorStatus; passkeyStepUp: boolean }) {
  const [started, start] = useActionState(startTotpAction, INITIAL_TOTP_FORM);
  const [confirmed, confirm] = useActionState(confirmTotpAction, INITIAL_TOTP_FORM);
  const [regenerated, regenerate] = useActionState(regenerateRecoveryCodesAction, INITIAL_TOTP_FORM);
  const [turnedOff, turnOff] = useActionState(turnOffTotpAction, INITIAL_TOTP_FORM);
  const answers: TotpFormState[] = [started, confirmed, regenerated, turnedOff];
  const codes = regenerated.recoveryCodes.length > 0 ? regenerated.recoveryCodes : confirmed.recoveryCodes;
  return (
    <div className="stack" data-testid="totp">
      {answers.map((answer, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: four fixed forms, always in this order
        <AccountFormMessages key={index} state={answer} />
      ))}
      <RecoveryCodes codes={status.state === 'on' ? codes : []} />
      {status.state === 'off' && (
        <form action={start} className="stack" data-testid="start-totp">
          <p>Ask for a code from an authenticator app after your password, so a leaked password alone is not enough.</p>
          <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
          <SubmitButton label="Set up an authenticator app" pendingLabel="Starting…" />
          {passkeyStepUp && <PasskeyStepUp label="Set up, confirming with a passkey" />}
        </form>
      )}
      {status.state === 'pending' && <Enrolment keyText={status.key} qrSvg={status.qrSvg} confirm={confirm} />}
      {status.state === 'on' && (
        <>
          <p data-testid="totp-on">
            Two-step sign-in is on. Recovery codes left: <strong>{status.recoveryCodesLeft}</strong>.
          </p>
          <form action={regenerate} className="stack" data-testid="regenerate-recovery-codes">
            <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
            <SubmitButton label="Make new recovery codes" pendingLabel="Making codes…" className="secondary" />
            {passkeyStepUp && <PasskeyStepUp label="Make new recovery codes, confirming with a passkey" />}
          </form>
          <form action={turnOff} className="stack" data-testid="turn-off-totp">
            <PasswordField label="Current password" name="current_password" autoComplete="current-password" />
            <CodeField label="Code from the app, or a recovery code" />
            <SubmitButton label="Turn off two-step sign-in" pendingLabel="Turning off…" className="danger" />
            {passkeyStepUp && <PasskeyStepUp label="Turn off, confirming with a passkey" />}
          </form>
        </>
      )}
    </div>
  );
}
