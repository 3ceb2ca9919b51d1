/**
 * Bounds on what a caller may send to /v1, checked before class-transformer and class-validator see it: both
 * recurse into whatever they are given, so a body nested a few thousand levels overflows the stack (a 500) and
 * one with 100,000 unknown keys holds the event loop for seconds while it builds a 3 MB error message. Our
 * DTOs are flat (an object of strings, numbers, booleans and one array of strings), so these limits are far
 * above anything valid and far below anything costly.
 */
export const INPUT_LIMITS = {
  /** Levels of objects and arrays below the body, query or parameter itself. */
  maxDepth: 8,
  /** Properties and array items in one input, counted at every level. */
  maxEntries: 1_000,
  /** A property name longer than this is no field of ours. */
  maxKeyLength: 256,
} as const;

/** Postgres text cannot hold NUL, and an unpaired UTF-16 surrogate has no UTF-8 form (it would be stored as U+FFFD). */
const NUL = /\u0000/;
// With the u flag a well-formed surrogate pair is one code point, so this matches only an unpaired half.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `value` can never be valid input, naming the field; undefined when it is within the limits. */
export function inputShapeProblem(value: unknown, root = ''): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  let entries = 0;
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return `${path || 'the input'} ${problem}`;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= INPUT_LIMITS.maxDepth) return `${path || 'the input'} is nested more than ${INPUT_LIMITS.maxDepth} levels deep`;
    const isArray = Array.isArray(current);
    for (const key of Object.keys(current)) {
      entries += 1;
      if (entries > INPUT_LIMITS.maxEntries) return `the input holds more than ${INPUT_LIMITS.maxEntries} fields and items`;
      if (!isArray) {
        if (key.length > INPUT_LIMITS.maxKeyLength) return `a property name is longer than ${INPUT_LIMITS.maxKeyLength} characters`;
        const problem = textProblem(key);
        if (problem) return `a property name ${problem}`;
      }
      const childPath = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      stack.push({ value: (current as Record<string, unknown>)[key], path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function textProblem(text: string): string | undefined {
  if (NUL.test(text)) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds an unpaired surrogate)';
  return undefined;
}

/** Validation messages name fields the caller chose: at most this many, each at most this long. */
const MAX_MESSAGES = 10;
const MAX_MESSAGE_LENGTH = 300;

/** One bounded line out of many messages, so an error body never grows with the input. */
export function boundedMessage(messages: string[]): string {
  const shown = messages
    .slice(0, MAX_MESSAGES)
    .map((message) => (message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message));
  const more = messages.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}
