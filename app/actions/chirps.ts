'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { chirpIdSchema, createChirp, deleteChirp, newChirpSchema } from '@/lib/chirps';
import { declareAction } from '@/lib/declared-action';
import { type ComposerState, type DeleteChirpState, INITIAL_DELETE_CHIRP } from '@/lib/form-states';

/**
 * Posting and deleting chirps from the pages. On success, refresh() sends the re-rendered page
 * back with the action's answer, in one round trip.
 */

// What the composer showed, to put back after a failure so nothing typed is lost.
function typedDraft(formData: FormData): string {
  const body = formData.get('body');
  return typeof body === 'string' ? body : '';
}

export const postChirpAction = declareAction(
  {
    name: 'postChirpAction',
    auth: 'session',
    input: newChirpSchema,
    refuse: ({ code }, formData): ComposerState => ({ code, draft: typedDraft(formData) }),
  },
  async ({ input, session }) => {
    await createChirp(session.user.id, input.body);
    refresh();
    return { code: null, draft: '' };
  },
);

// Which chirp's button was pressed, only to put an error beside it (compared, never trusted).
function pressedChirp(formData: FormData): string | null {
  const id = formData.get('chirp_id') ?? formData.get('confirm');
  return typeof id === 'string' ? id : null;
}

/**
 * The list's one form has three kinds of button: a chirp's Delete (`confirm`), which only asks
 * "for good?"; that question's Yes (`chirp_id`), which deletes; and its Cancel (neither), which
 * puts the list back. With JavaScript the list asks and cancels by itself, so only Yes comes here.
 */
const deleteChirpForm = z.object({ chirp_id: chirpIdSchema.optional(), confirm: chirpIdSchema.optional() });

export const deleteChirpAction = declareAction(
  {
    name: 'deleteChirpAction',
    auth: 'session',
    input: deleteChirpForm,
    refuse: ({ code }, formData): DeleteChirpState => ({ code, chirpId: pressedChirp(formData), confirming: null }),
  },
  async ({ input, session, refuse }) => {
    if (input.chirp_id === undefined) return { code: null, chirpId: null, confirming: input.confirm ?? null };
    const deletion = await deleteChirp(input.chirp_id, session.user.id);
    // Already gone (deleted from another tab) is what was asked for: not an error.
    if (!deletion.ok && deletion.reason === 'forbidden') return refuse('chirp_not_yours');
    refresh();
    return INITIAL_DELETE_CHIRP;
  },
);
