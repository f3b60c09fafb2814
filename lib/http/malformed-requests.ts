import 'server-only';
import { MESSAGES } from '../messages';
import { mediaType } from './body';

/**
 * Requests Next itself cannot take apart, and answers with a 500 before any of our code runs
 * (the reliability suite's fuzzing found each): a path segment that is not percent-encoded UTF-8
 * (`/api/chirps/%zz`), a server-action post to something that is not a page, and a multipart post
 * whose body is no multipart form (Next reads it as a server action's form on any path it renders
 * a page for, a 404 included). They are the client's mistakes, so the proxy refuses them with a
 * 400 first. Returns the catalogue's message, or null for a request Next can handle.
 */
export async function malformedRequest(request: Request, pathname: string, isPage: boolean): Promise<string | null> {
  if (!isDecodable(pathname)) return MESSAGES.malformed_path;
  if (request.headers.has('next-action') && !isPage) return MESSAGES.action_off_page;
  if (await hasUnreadableForm(request)) return MESSAGES.malformed_form;
  return null;
}

function isDecodable(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Reads a copy of the body: the page's server action still gets the original. */
async function hasUnreadableForm(request: Request): Promise<boolean> {
  // A url-encoded body always parses, into something; only multipart can fail to.
  if (request.body === null || mediaType(request) !== 'multipart/form-data') return false;
  try {
    await request.clone().formData();
    return false;
  } catch {
    return true;
  }
}
