import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { REPO_ROOT } from './support/builders';
import { documentationFiles, githubSlug, headingAnchors, links } from './support/markdown';

/** Each relative link of a file that leads nowhere: a missing file, a path out of the repository, or an unknown #anchor. */
function brokenLinks(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return links(text).flatMap(({ line, target }) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return []; // https:, mailto: and the like are not relative
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const where = `${file}:${line}: ${target}`;
    const resolved = path === '' ? file : normalize(join(dirname(file), path));
    if (resolved.startsWith('..') || path.startsWith('/')) return [`${where}: leads out of the repository`];
    if (!existsSync(join(root, resolved))) return [`${where}: ${resolved} does not exist`];
    if (anchor === undefined) return [];
    if (!resolved.endsWith('.md') || statSync(join(root, resolved)).isDirectory()) return [`${where}: an anchor into a file that is not markdown`];
    const anchors = headingAnchors(readFileSync(join(root, resolved), 'utf8'));
    return anchors.has(anchor) ? [] : [`${where}: ${relative(root, join(root, resolved))} has no heading #${anchor}`];
  });
}

describe('the documentation', () => {
  test('is README.md and the pages under docs/, each page linking back to README.md', () => {
    const files = documentationFiles();
    expect(files).toContain('docs/ci.md');
    const withoutWayBack = files.slice(1).filter((page) => !links(readFileSync(join(REPO_ROOT, page), 'utf8')).some((l) => l.target === '../README.md'));
    expect(withoutWayBack).toEqual([]);
  });

  test('README.md links to every page under docs/', () => {
    const targets = new Set(links(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]));
    expect(documentationFiles().slice(1).filter((page) => !targets.has(page))).toEqual([]);
  });

  test('README.md stays an overview: under 250 lines', () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(250);
  });

  test('every relative link and #anchor in README.md and docs/*.md resolves, as GitHub resolves it', () => {
    expect(documentationFiles().flatMap((file) => brokenLinks(REPO_ROOT, file))).toEqual([]);
  });
});

describe('the link check', () => {
  test('gives headings the anchors GitHub gives them', () => {
    expect(githubSlug('CI: plan, apply and drift')).toBe('ci-plan-apply-and-drift');
    expect(githubSlug('What is wrong with a registration? `npm run doctor`')).toBe('what-is-wrong-with-a-registration-npm-run-doctor');
    expect(githubSlug("Adopt a registration made by Veeam's wizard or by hand")).toBe('adopt-a-registration-made-by-veeams-wizard-or-by-hand');
    expect(githubSlug('1. State storage')).toBe('1-state-storage');
    expect(githubSlug('PFX hand-off for VB365 (self-signed certificates)')).toBe('pfx-hand-off-for-vb365-self-signed-certificates');
    expect(githubSlug('Certificates: sources, rotation, expiry watch, PFX hand-off')).toBe('certificates-sources-rotation-expiry-watch-pfx-hand-off');
    expect(githubSlug('The `certificate_<name>_pem` output')).toBe('the-certificate_name_pem-output');
    expect([...headingAnchors('# Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n\n### Notes\n')]).toEqual(['notes', 'notes-1', 'notes-2']);
  });

  test('finds a link to a missing page, a missing anchor and a path out of the repository, but not links in code', () => {
    const root = join(REPO_ROOT, '__tests__/fixtures/markdown-links');
    expect(brokenLinks(root, 'docs/page.md')).toEqual([
      'docs/page.md:5: missing.md: docs/missing.md does not exist',
      'docs/page.md:5: ../README.md#no-such-heading: README.md has no heading #no-such-heading',
      'docs/page.md:7: #nowhere: docs/page.md has no heading #nowhere',
      'docs/page.md:9: ../../outside.md: leads out of the repository',
    ]);
  });
});
