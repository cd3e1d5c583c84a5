/**
 * Plain text into GitHub markdown (a pull request comment, a job summary), safe in a table cell:
 * pipes, HTML and emphasis characters lose their meaning and line breaks become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, ' ');
}
