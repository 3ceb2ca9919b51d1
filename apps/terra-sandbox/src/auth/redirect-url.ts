/**
 * Appends Terra's redirect parameters to a caller's URL, keeping its own query string and fragment as they
 * are (no re-encoding), and working for deep links such as `myapp://done` (terra-contract.md §3.3).
 */
export function appendQuery(url: string, params: Record<string, string>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const query = new URLSearchParams(params).toString();
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}${fragment}`;
}

/** Terra's parameters: an absent value is the literal string `null` (terra-contract.md §3.3). */
export function redirectParams(userId: string | null, provider: string, referenceId: string | null): Record<string, string> {
  return { user_id: userId ?? 'null', resource: provider, reference_id: referenceId ?? 'null' };
}
