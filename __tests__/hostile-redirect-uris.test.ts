import { redactUserinfo, redirectUriProblem } from '../lib/construct/redirect-uri';
import { formatProblem } from '../lib/process/problem';
import { environment, parse, resourceOf, synthStack, validInput } from './support/builders';

describe('redirect URIs that read one way and parse another are refused', () => {
  test.each([
    ['https://restore.contoso.com%2f@evil.com:4443', 'must not contain a user name or password ("user:password@" before the host: the host is what follows the @); got "https://***@evil.com:4443"'],
    ['https://admin:S3cret!pw@restore.contoso.com:4443', 'contains "!", which Entra does not allow in redirect URIs; got "https://***@restore.contoso.com:4443"'],
    ['https://admin:S3cretpw@restore.contoso.com:4443', 'must not contain a user name or password ("user:password@" before the host: the host is what follows the @); got "https://***@restore.contoso.com:4443"'],
    ['https://restore%2econtoso.com:4443', 'must not percent-encode the host or port ("%..." there hides what the host is); got "https://restore%2econtoso.com:4443"'],
    ['https://evil.com\\@restore.contoso.com:4443', 'must not contain a backslash (browsers read it as "/", which moves the host); got "https://evil.com\\@restore.contoso.com:4443"'],
    ['https:restore.contoso.com:4443', 'must start with "https://" in lower case (browsers send the scheme so, and Entra compares redirect URIs case-sensitively; without "//" programs disagree on what the host is); got "https:restore.contoso.com:4443"'],
    ['https:/restore.contoso.com:4443', 'must start with "https://" in lower case (browsers send the scheme so, and Entra compares redirect URIs case-sensitively; without "//" programs disagree on what the host is); got "https:/restore.contoso.com:4443"'],
    ['HTTPS://restore.contoso.com:4443', 'must start with "https://" in lower case (browsers send the scheme so, and Entra compares redirect URIs case-sensitively; without "//" programs disagree on what the host is); got "HTTPS://restore.contoso.com:4443"'],
    ['https://restore.contoso.com:0', 'has port 0; a port is 1 to 65535; got "https://restore.contoso.com:0"'],
    ['https://restore.contoso.com:65536', 'has port 65536; a port is 1 to 65535; got "https://restore.contoso.com:65536"'],
    ['https://restore.contoso.com:4443\n', 'must not contain control characters (tab, line break, ...); got "https://restore.contoso.com:4443\\n"'],
    ['https://restore.contoso.com:4443/\u0000', 'must not contain control characters (tab, line break, ...); got "https://restore.contoso.com:4443/\\u0000"'],
    ['https://u:pw@restore.contoso.com\t', 'must not contain control characters (tab, line break, ...); got "https://***@restore.contoso.com\\t"'],
    ['https://restore.contoso.com\u202e:4443', 'must not contain invisible characters (direction overrides, zero-width spaces, byte order marks); got "https://restore.contoso.com\\u202e:4443"'],
    ['https://restore.contoso.com:4443/a\u200bb', 'must not contain invisible characters (direction overrides, zero-width spaces, byte order marks); got "https://restore.contoso.com:4443/a\\u200bb"'],
    ['https://restore.contoso.com:44\u00a043', 'must not contain spaces; got "https://restore.contoso.com:44\u00a043"'],
    ['https://restore.contoso.com:４４４３', 'is not an absolute URL; expected e.g. "https://restore.example.com:4443"; got "https://restore.contoso.com:４４４３"'],
    ['https://0x7f.1:4443', 'is read by a URL parser as "https://127.0.0.1:4443/", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got "https://0x7f.1:4443"'],
    ['https://résumé.example:4443', 'is read by a URL parser as "https://xn--rsum-bpad.example:4443/", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got "https://résumé.example:4443"'],
    ['https://restore.contoso.com:4443/a/../admin', 'is read by a URL parser as "https://restore.contoso.com:4443/admin", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got "https://restore.contoso.com:4443/a/../admin"'],
    ['https://restore.contoso.com:4443/{x}', 'is read by a URL parser as "https://restore.contoso.com:4443/%7Bx%7D", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got "https://restore.contoso.com:4443/{x}"'],
    ['https:///restore.contoso.com', 'is read by a URL parser as "https://restore.contoso.com/", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got "https:///restore.contoso.com"'],
  ])('%j', (uri, message) => {
    expect(redirectUriProblem(uri)).toBe(message);
  });

  test('a password in a URI is never shown, in any message of a synth', () => {
    const result = parse(validInput({ redirectUris: ['https://admin:hunter2@restore.contoso.com:4443', 'https://x:hunter2@a.example:99999'] }));
    const lines = result.problems.map(formatProblem).join('\n');
    expect(lines).not.toContain('hunter2');
    expect(lines).not.toContain('admin');
    expect(result.problems).toHaveLength(2);
  });

  test('redaction hides everything before the last @ of the authority, and nothing else', () => {
    expect(redactUserinfo('https://a:b@c@host:1/p@q')).toBe('https://***@host:1/p@q');
    expect(redactUserinfo('https://host/p@q')).toBe('https://host/p@q');
    expect(redactUserinfo('https:user:pw@host')).toBe('***@host');
  });

  test('what is written to Terraform is what was validated', () => {
    const uris = ['https://restore.contoso.com:4443', 'https://restore.contoso.com:4443/portal?x=1', 'https://[2001:db8::1]:4443', 'http://localhost:4443'];
    const stack = synthStack(environment({ redirectUris: uris }));
    expect(resourceOf(stack, 'azuread_application_redirect_uris', 'portal_spa').redirect_uris).toEqual(uris);
  });
});

describe('redirect URIs that work but likely not as meant are warned about', () => {
  const warningsOf = (uris: string[]) => {
    const result = parse(validInput({ redirectUris: uris }));
    expect(result.problems).toEqual([]);
    return result.warnings.map(formatProblem).filter((w) => w.includes('redirectUris'));
  };

  test('entries a browser treats as one address', () => {
    expect(warningsOf(['https://restore.contoso.com:4443', 'https://restore.contoso.com:4443/', 'https://restore.contoso.com:443', 'https://restore.contoso.com'])).toEqual([
      'environments/test.ts: redirectUris[1]: is the same address as redirectUris[0] for a browser (they differ only in a trailing slash, the host\'s case or a default port written out); Entra keeps both, list it once',
      'environments/test.ts: redirectUris[2]: has no port, so browsers use 443; VB365 serves the Restore Portal on its REST API port (4443 unless Set-VBORestAPISettings -HTTPSPort says otherwise): write "https://restore.contoso.com:4443", unless a reverse proxy on 443 fronts it',
      'environments/test.ts: redirectUris[3]: is the same address as redirectUris[2] for a browser (they differ only in a trailing slash, the host\'s case or a default port written out); Entra keeps both, list it once',
      'environments/test.ts: redirectUris[3]: has no port, so browsers use 443; VB365 serves the Restore Portal on its REST API port (4443 unless Set-VBORestAPISettings -HTTPSPort says otherwise): write "https://restore.contoso.com:4443", unless a reverse proxy on 443 fronts it',
    ]);
  });

  test('a host with capital letters, also the same address as its lower-case twin', () => {
    expect(warningsOf(['https://restore.contoso.com:4443/app', 'https://Restore.Contoso.com:4443/app'])).toEqual([
      'environments/test.ts: redirectUris[1]: is the same address as redirectUris[0] for a browser (they differ only in a trailing slash, the host\'s case or a default port written out); Entra keeps both, list it once',
      'environments/test.ts: redirectUris[1]: writes the host with capital letters; browsers send it in lower case ("restore.contoso.com") and Entra compares redirect URIs case-sensitively: write it in lower case',
    ]);
  });

  test('an address with VB365\'s port, or localhost over http, is not warned about', () => {
    expect(warningsOf(['https://restore.contoso.com:4443', 'http://localhost'])).toEqual([]);
  });
});
