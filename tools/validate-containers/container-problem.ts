/** One broken rule, said so that the fix is obvious: `file:line what is wrong (and why it matters)`. */
export interface ContainerProblem {
  file: string;
  line?: number;
  message: string;
}

export function formatProblem(problem: ContainerProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`;
}
