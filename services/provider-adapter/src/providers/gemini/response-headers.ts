/**
 * A fetch for one call that remembers its response's headers. The SDK's ApiError keeps only
 * the status and body, but a 429's `retry-after` is in the headers. (Given a fetch, the SDK adds
 * no dispatcher of its own, so undici's default timeouts apply, as with the other SDKs; the
 * adapter's stall timeout is the one meant to cut a silent stream.)
 */
export function headersRecordingFetch(): { fetch: typeof globalThis.fetch; headers(): Headers | undefined } {
  let headers: Headers | undefined;
  return {
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init);
      headers = response.headers;
      return response;
    },
    headers: () => headers,
  };
}
