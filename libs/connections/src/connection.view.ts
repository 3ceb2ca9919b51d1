/** Terra sends scopes as one provider-specific string ("activity,heartrate sleep"): commas or spaces split it. */
export function parseTerraScopes(scopes: string | null | undefined): string[] {
  if (!scopes) return [];
  return [...new Set(scopes.split(/[\s,]+/).filter((scope) => scope.length > 0))];
}
