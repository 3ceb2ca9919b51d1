interface Rule {
  pattern: RegExp;
  exclude: boolean;
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of folders, including none.
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * .dockerignore semantics as BuildKit applies them: the last matching line wins, `!` re-includes, and a
 * pattern that matches a folder matches everything inside it.
 */
export class DockerignoreMatcher {
  private readonly rules: Rule[];

  constructor(text: string) {
    this.rules = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const exclude = !line.startsWith('!');
        const pattern = (exclude ? line : line.slice(1)).trim().replace(/^\/+/, '').replace(/\/+$/, '');
        return { pattern: toRegExp(pattern), exclude };
      });
  }

  /** Is this context-relative path (file or folder) sent to the builder? */
  includes(relativePath: string): boolean {
    const parts = relativePath.replace(/^\.\/+/, '').replace(/\/+$/, '').split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = rule.exclude;
    }
    return !excluded;
  }
}
