import { escapeMarkdown, markdownCode } from '../lib/process/markdown';
import { formatReports } from '../lib/review/report/plan-report-format';
import { colorsFor } from '../lib/process/command-line';
import { planFixture, reportOf } from './support/plans';

/** What a pull request author could put in a display name, a label or an address. */
const HOSTILE = 'Portal | x\r\n## <img src=x onerror=alert(1)> `code` **bold** [link](https://evil.example) @octocat #123 www.evil.example &amp;';

/** Pipes that GitHub would read as cell borders. */
const cellBorders = (line: string) => line.replace(/\\./g, '').split('|').length - 1;

/** What GitHub would turn into a notification, a link, an issue reference or HTML. */
function expectInert(rendered: string): void {
  const markdown = rendered.replace(/&#8203;/g, '\u200b');
  expect(markdown).not.toMatch(/@[A-Za-z]/);
  expect(markdown).not.toMatch(/#\d/);
  expect(markdown).not.toMatch(/https?:\/\//);
  expect(markdown).not.toMatch(/www\./i);
  expect(markdown).not.toMatch(/<[a-z]/i);
  expect(markdown).not.toContain('\r');
}

describe('markdown reports stay well-formed whatever the text they quote', () => {
  test('escaped text is one line whose characters are all literal', () => {
    const escaped = escapeMarkdown(HOSTILE);
    expect(escaped).toBe(
      'Portal \\| x \\#\\# &lt;img src=x onerror=alert(1)&gt; \\`code\\` \\*\\*bold\\*\\* \\[link\\](https:&#8203;//evil.example) @&#8203;octocat \\#&#8203;123 www&#8203;.evil.example &amp;amp;',
    );
    expect(cellBorders(escaped)).toBe(0);
    expectInert(escaped);
  });

  test('text that would start a heading, a list or a numbered list does not', () => {
    expect(escapeMarkdown('# title')).toBe('\\# title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('+ item')).toBe('\\+ item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('~~gone~~')).toBe('\\~\\~gone\\~\\~');
  });

  test('code spans hold any text exactly, backticks and pipes included', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('``x``')).toBe('``` ``x`` ```');
    expect(markdownCode('a|b\nc')).toBe('`a\\|b c`');
    expect(markdownCode('')).toBe('` `');
  });

  test('a plan whose display name and resource address are hostile renders one row per change', () => {
    const plan = planFixture('new-environment');
    const registration = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_registration');
    registration.change.after.display_name = HOSTILE;
    registration.address = `azuread_application_registration.portal\`|\n@octocat`;
    const markdown = formatReports([reportOf(plan, 'prod\n| x')], 'plan', 'markdown', colorsFor({}));
    const lines = markdown.split('\n');
    const rows = lines.filter((l) => l.startsWith('| '));
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(cellBorders(row)).toBe(4);
    expect(lines[0]).toBe('### Restore Portal plan: `prod \\| x`');
    const row = rows.find((r) => r.includes('application registration'))!;
    expect(row).toContain('Portal \\| x \\#\\# &lt;img');
    expect(row).toContain('``azuread_application_registration.portal`\\| @octocat``');
    expectInert(markdown.replace(/``[^`]*`[^`]*``|`[^`]*`/g, ''));
  });

  test('a redirect URI with a password, added in the portal, is reported without it', () => {
    const plan = planFixture('redirect-uri-added');
    const spa = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_redirect_uris');
    spa.change.after.redirect_uris = [...spa.change.after.redirect_uris, 'https://admin:hunter2@portal.example.com:4443'];
    const report = reportOf(plan);
    const everything = JSON.stringify(report) + formatReports([report], 'plan', 'markdown', colorsFor({}));
    expect(everything).not.toContain('hunter2');
    expect(everything).toContain('redirect URI https://***@portal.example.com:4443 added');
  });

  test('control characters and direction overrides show as escapes in markdown, code spans included', () => {
    expect(escapeMarkdown('a\u001b[2Jb \u202eevil')).toBe('a\\\\u001b\\[2Jb \\\\u202eevil');
    expect(markdownCode('x\u202ey')).toBe('`x\\u202ey`');
  });
});

describe('text reports, for terminals and CI logs, show what a plan quotes escaped', () => {
  /** Someone with access to the Entra admin center renames the registration. */
  const FORGED = 'Portal\u001b[2J\n::error::fake\r\n    + admin consent granted \u202eevil';

  test('a display name cannot forge a report line, a log command or drive the terminal', () => {
    const plan = planFixture('new-environment');
    const registration = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_registration');
    registration.change.after.display_name = FORGED;
    const text = formatReports([reportOf(plan, 'prod\nx')], 'plan', 'text', colorsFor({}));
    const line = text.split('\n').find((l) => l.includes('application registration'))!;
    expect(line).toContain('Portal\\u001b[2J\\u000a::error::fake\\u000d\\u000a    + admin consent granted \\u202eevil');
    expect(text.split('\n')[0]).toMatch(/^prod\\u000ax: /);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });
});
