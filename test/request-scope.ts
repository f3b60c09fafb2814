import { getURLFromRedirectError } from 'next/dist/client/components/redirect';
import { isRedirectError } from 'next/dist/client/components/redirect-error';
import { AfterContext } from 'next/dist/server/after/after-context';
import { AfterRunner } from 'next/dist/server/after/run-with-after';
import { type WorkStore, workAsyncStorage } from 'next/dist/server/app-render/work-async-storage.external';
import { type RequestStore, workUnitAsyncStorage } from 'next/dist/server/app-render/work-unit-async-storage.external';
import { HeadersAdapter } from 'next/dist/server/web/spec-extension/adapters/headers';
import { RequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies';
import { RequestCookies, ResponseCookies } from 'next/dist/server/web/spec-extension/cookies';

/**
 * Runs a route handler or a server action the way Next serves it: inside a request scope, so that
 * `after()`, `headers()` and `cookies()` work. Tasks given to `after()` wait until `runAfter()`,
 * as they wait in Next until the response has been sent: a test can look at the world between
 * the answer and the work done after it. Only the parts of Next's stores these APIs read are
 * filled in (Next 16.4; the stores are internal, so an upgrade may need this file touched).
 */

export type Served<T> = {
  /** What the handler or action returned (undefined when it redirected). */
  value: T | undefined;
  /** Where redirect() sent the browser, if it did. */
  redirectedTo: string | null;
  /**
   * The action's cookie store as it left it: the request's cookies, with what the action set or
   * deleted (server actions read and write them through cookies(), one store, as in Next).
   */
  cookies: ResponseCookies;
  /** Runs the after() tasks, as Next does once the response is out. */
  runAfter: () => Promise<void>;
};

export async function serve<T>(
  work: () => Promise<T>,
  requestHeaders: Record<string, string> = {},
): Promise<Served<T>> {
  const runner = new AfterRunner();
  const headers = new Headers(requestHeaders);
  const cookies = new ResponseCookies(new Headers());
  for (const cookie of new RequestCookies(headers).getAll()) cookies.set(cookie.name, cookie.value);
  const workStore = partial<WorkStore>({
    route: '/test',
    afterContext: new AfterContext(runner.context),
    forceStatic: false,
    dynamicShouldError: false,
  });
  const requestStore = partial<RequestStore>({
    type: 'request',
    phase: 'action',
    headers: HeadersAdapter.seal(headers),
    cookies: RequestCookiesAdapter.seal(new RequestCookies(headers)),
    mutableCookies: cookies,
    userspaceMutableCookies: cookies,
  });
  let value: T | undefined;
  let redirectedTo: string | null = null;
  await workAsyncStorage.run(workStore, () =>
    workUnitAsyncStorage.run(requestStore, async () => {
      try {
        value = await work();
      } catch (error) {
        if (!isRedirectError(error)) throw error;
        redirectedTo = getURLFromRedirectError(error);
      }
    }),
  );
  return { value, redirectedTo, cookies, runAfter: () => runner.executeAfter() };
}

// Next's stores have dozens of fields for rendering; after(), headers() and cookies() read the
// few given above. Typed as the whole store only so they can be handed to Next's own storage.
function partial<Store>(fields: Partial<Store>): Store {
  return fields as Store;
}
