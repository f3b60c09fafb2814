'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { chirpIdSchema, createChirp, deleteChirp, newChirpSchema } from '@/lib/chirps';
import { declareAction } from '@/lib/declared-action';
import type { ComposerState, DeleteChirpState } from '@/lib/form-states';

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
  const id = formData.get('chirp_id');
  return typeof id === 'string' ? id : null;
}

export const deleteChirpAction = declareAction(
  {
    name: 'deleteChirpAction',
    auth: 'session',
    input: z.object({ chirp_id: chirpIdSchema }),
    refuse: ({ code }, formData): DeleteChirpState => ({ code, chirpId: pressedChirp(formData) }),
  },
  async ({ input, session, refuse }) => {
    const deletion = await deleteChirp(input.chirp_id, session.user.id);
    // Already gone (deleted from another tab) is what was asked for: not an error.
    if (!deletion.ok && deletion.reason === 'forbidden') return refuse('chirp_not_yours');
    refresh();
    return { code: null, chirpId: null };
  },
);
