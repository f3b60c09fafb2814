import type { z } from 'zod';
import { isMessageCode, MESSAGES, type MessageCode } from './messages';

/**
 * How a validation rule names its failure by a catalogue code, so one schema serves both the JSON
 * API (which answers the text) and a form (whose state carries the code). It sits beside the
 * catalogue, below everything, because the domain's schemas use it and the forms read it.
 */

/**
 * The options for a zod refinement whose failure a form can name: the catalogue's text (what the
 * JSON API answers) and its code (what a form's state carries).
 */
export function coded(code: MessageCode): { error: string; params: { code: MessageCode } } {
  return { error: MESSAGES[code], params: { code } };
}

/** The code of the first problem zod found; a rule without one (a missing field) is `invalid_form`. */
export function issueCode(error: z.ZodError): MessageCode {
  const issue = error.issues[0];
  const code: unknown = issue?.code === 'custom' ? issue.params?.code : undefined;
  return typeof code === 'string' && isMessageCode(code) ? code : 'invalid_form';
}
