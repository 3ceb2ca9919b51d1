/**
 * A failure the launcher explains in one sentence (what is wrong and what to do), printed without a stack:
 * the person running `npm start` needs the fix, not our call chain.
 */
export class DevStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevStackError';
  }
}
