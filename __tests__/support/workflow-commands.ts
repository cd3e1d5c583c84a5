/**
 * The lines GitHub's runner reads as workflow commands (`::error::`, `::add-mask::`): it starts a line
 * at `\n`, `\r\n` and a lone `\r`, and trims leading white space before it looks for `::`.
 */
export function workflowCommands(log: string): string[] {
  return log.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith('::'));
}
