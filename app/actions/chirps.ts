'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/current-user';
import { chirpIdSchema, createChirp, deleteChirp, newChirpSchema } from '@/lib/chirps';
import type { ComposerState, DeleteChirpState } from '@/lib/form-states';
import { type FaultCode, withActionBoundary } from '@/lib/http/boundary';
import { issueCode } from '@/lib/rule-codes';

/**
 * Posting and deleting chirps from the pages. Each action checks who is asking itself: a server
 * action is an endpoint anyone can post to, whatever page rendered the form. On success,
 * refresh() sends the re-rendered page back with the action's answer, in one round trip.
 */

// What the composer showed, to put back after a failure so nothing typed is lost.
function typedDraft(formData: FormData): string {
  const body = formData.get('body');
  return typeof body === 'string' ? body : '';
}

export const postChirpAction = withActionBoundary(
  'postChirpAction',
  (code: FaultCode, _previous: ComposerState, formData: FormData): ComposerState => ({
    code,
    draft: typedDraft(formData),
  }),
  async (_previous: ComposerState, formData: FormData): Promise<ComposerState> => {
    const draft = typedDraft(formData);
    const user = await getCurrentUser();
    if (!user) return { code: 'signed_out', draft };
    const form = newChirpSchema.safeParse(Object.fromEntries(formData));
    if (!form.success) return { code: issueCode(form.error), draft };
    await createChirp(user.id, form.data.body);
    refresh();
    return { code: null, draft: '' };
  },
);

const deleteForm = z.object({ chirp_id: chirpIdSchema });

// Which chirp's button was pressed, only to put an error beside it (compared, never trusted).
function pressedChirp(formData: FormData): string | null {
  const id = formData.get('chirp_id');
  return typeof id === 'string' ? id : null;
}

export const deleteChirpAction = withActionBoundary(
  'deleteChirpAction',
  (code: FaultCode, _previous: DeleteChirpState, formData: FormData): DeleteChirpState => ({
    code,
    chirpId: pressedChirp(formData),
  }),
  async (_previous: DeleteChirpState, formData: FormData): Promise<DeleteChirpState> => {
    const chirpId = pressedChirp(formData);
    const user = await getCurrentUser();
    if (!user) return { code: 'signed_out', chirpId };
    const form = deleteForm.safeParse(Object.fromEntries(formData));
    if (!form.success) return { code: 'invalid_form', chirpId };
    const deletion = await deleteChirp(form.data.chirp_id, user.id);
    // Already gone (deleted from another tab) is what was asked for: not an error.
    if (!deletion.ok && deletion.reason === 'forbidden') return { code: 'chirp_not_yours', chirpId };
    refresh();
    return { code: null, chirpId: null };
  },
);
