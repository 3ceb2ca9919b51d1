/**
 * Terra sends a user's scopes as one provider-specific string ("activity,heartrate sleep"): commas or white
 * space separate them. The one parser for it: trimmed, empties dropped, duplicates dropped, order kept.
 * null when Terra sent no string at all (keep what is stored); an empty string is an empty set.
 */
export function parseTerraScopes(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  return [...new Set(value.split(/[\s,]+/).filter((scope) => scope.length > 0))];
}
