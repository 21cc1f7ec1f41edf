/** One release section of a changesets CHANGELOG.md: `## 0.2.0`, and its `- ` entries. */
export interface ChangelogRelease {
  readonly version: string;
  /** Each entry's text, continuation lines joined with spaces. */
  readonly entries: readonly string[];
}

/** The release sections of a CHANGELOG.md written by changesets, newest first. */
export function changelogReleases(markdown: string): ChangelogRelease[] {
  const releases: { version: string; entries: string[] }[] = [];
  let entry: string[] | undefined;
  const flush = () => {
    if (entry && releases.length > 0) releases.at(-1)!.entries.push(entry.join(' ').replace(/\s+/g, ' ').trim());
    entry = undefined;
  };
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) {
      flush();
      releases.push({ version: heading[1], entries: [] });
    } else if (line.startsWith('- ')) {
      flush();
      entry = [line.slice(2)];
    } else if (entry && /^\s+\S/.test(line)) {
      entry.push(line.trim());
    } else if (line.trim() !== '') {
      flush();
    }
  }
  flush();
  return releases;
}

/** changesets' own line for dependency bumps; it names the dependencies by design. */
export const isDependencyUpdate = (entry: string): boolean => entry.startsWith('Updated dependencies');

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The other packages that an entry of `own`'s CHANGELOG makes its subject: a package name used as
 * a label ("`@linearconv/onnx`: …"), announced ("New `@linearconv/onnx`"), or starting a
 * sentence ("`@linearconv/tfjs` and … implement", "Core gains …", "The CLI runs …"). Naming
 * another package as an object ("… through `@linearconv/onnx`") is fine.
 */
export function foreignSubjects(entry: string, own: string, names: readonly string[]): string[] {
  const sentenceStart = '(?:^|[.!?;]\\s+)';
  return names.filter((name) => {
    if (name === own) return false;
    const short = name.slice(name.indexOf('/') + 1);
    const full = `\`?${escapeRegExp(name)}\`?`;
    const aliases = [short[0].toUpperCase() + short.slice(1), `The ${short.toUpperCase()}`, `The ${short[0].toUpperCase()}${short.slice(1)}`].map(escapeRegExp);
    const patterns = [
      new RegExp(`${full}\\s*:`),
      new RegExp(`\\bNew\\s+${full}`, 'i'),
      new RegExp(`${sentenceStart}${full}(?![\\w-])`),
      new RegExp(`${sentenceStart}(?:${aliases.join('|')})\\b(?!-)`),
    ];
    return patterns.some((pattern) => pattern.test(entry));
  });
}
