import { randomUUID } from 'node:crypto';
import { refresh } from 'next/cache';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createChirp, findChirp } from '@/lib/chirps';
import { INITIAL_DELETE_CHIRP } from '@/lib/form-states';
import { type BrowserSession, browserSession } from '@/test/fixtures';
import { serve } from '@/test/request-scope';
import { deleteChirpAction } from './chirps';

// refresh() needs Next's render of the page behind the action; here it is enough that it is asked for.
vi.mock('next/cache', async (original) => ({ ...(await original<typeof import('next/cache')>()), refresh: vi.fn() }));

beforeEach(() => {
  vi.mocked(refresh).mockClear();
});

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

/** The timeline's one form, posted by `session`'s browser with the button pressed (`fields`). */
function press(session: BrowserSession, fields: Record<string, string>) {
  return serve(() => deleteChirpAction(INITIAL_DELETE_CHIRP, form(fields)), {
    cookie: `chirpy_access=${session.access}`,
  });
}

describe('the timeline delete form (as a page without JavaScript posts it)', () => {
  it("a chirp's Delete only asks: the answer names the chirp to confirm, and the chirp stays", async () => {
    const session = await browserSession();
    const chirp = await createChirp(session.id, 'think twice');

    const served = await press(session, { confirm: chirp.id });

    expect(served.value).toEqual({ code: null, chirpId: null, confirming: chirp.id });
    expect(await findChirp(chirp.id)).not.toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('Cancel asks nothing and deletes nothing: the list as it was', async () => {
    const session = await browserSession();
    const chirp = await createChirp(session.id, 'kept after all');

    expect((await press(session, {})).value).toEqual(INITIAL_DELETE_CHIRP);
    expect(await findChirp(chirp.id)).not.toBeNull();
  });

  it('Yes deletes, and the answer asks nothing more', async () => {
    const session = await browserSession();
    const chirp = await createChirp(session.id, 'gone for good');

    expect((await press(session, { chirp_id: chirp.id })).value).toEqual(INITIAL_DELETE_CHIRP);
    expect(await findChirp(chirp.id)).toBeNull();
    expect(refresh).toHaveBeenCalledOnce();
  });

  it("another's chirp: Yes refuses beside it and deletes nothing", async () => {
    const owner = await browserSession();
    const stranger = await browserSession();
    const chirp = await createChirp(owner.id, 'not theirs');

    const served = await press(stranger, { chirp_id: chirp.id });

    expect(served.value).toEqual({ code: 'chirp_not_yours', chirpId: chirp.id, confirming: null });
    expect(await findChirp(chirp.id)).not.toBeNull();
  });

  it('a Delete whose value is no chirp id is refused, and asks nothing', async () => {
    const session = await browserSession();

    const served = await press(session, { confirm: 'not-an-id' });

    expect(served.value).toEqual({ code: 'invalid_form', chirpId: 'not-an-id', confirming: null });
  });

  it('signed out: Delete is refused as signed out', async () => {
    const served = await serve(() => deleteChirpAction(INITIAL_DELETE_CHIRP, form({ confirm: randomUUID() })));
    expect(served.value).toMatchObject({ code: 'signed_out', confirming: null });
  });
});
