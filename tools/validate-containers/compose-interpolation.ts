const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose's variable substitution on one string: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `$VAR`, and `$$` for a literal `$`. Unset variables with no default become ''.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(VARIABLE, (whole, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare!;
    const current = env[name];
    const unsetOrEmpty = current === undefined || current === '';
    switch (operator) {
      case ':-':
        return unsetOrEmpty ? operand! : current;
      case '-':
        return current === undefined ? operand! : current;
      case ':?':
      case '?':
        if (operator === ':?' ? unsetOrEmpty : current === undefined) throw new Error(`${name}: ${operand || 'must be set'}`);
        return current!;
      default:
        return current ?? '';
    }
  });
}

/** Applies interpolate() to every string in a parsed compose document, as `docker compose config` does. */
export function interpolateDocument<T>(document: T, env: Record<string, string | undefined> = {}): T {
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node, env);
    if (Array.isArray(node)) return node.map(visit);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([key, value]) => [key, visit(value)]));
    }
    return node;
  };
  return visit(document) as T;
}
