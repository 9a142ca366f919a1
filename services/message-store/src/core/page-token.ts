/**
 * Opaque page tokens for listings ordered by a row's creation sequence: callers pass back what
 * they got, and never build them by hand.
 */
export function encodePageToken(seq: string): string {
  return btoa(`seq:${seq}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The sequence a token continues after, or undefined when the token is not one of ours. */
export function decodePageToken(token: string): string | undefined {
  let text: string;
  try {
    text = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return undefined;
  }
  return /^seq:(\d{1,19})$/.exec(text)?.[1];
}
