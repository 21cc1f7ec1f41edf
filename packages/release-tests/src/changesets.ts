import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Bump = 'major' | 'minor' | 'patch';

export interface Changeset {
  readonly file: string;
  readonly releases: Readonly<Record<string, Bump>>;
  readonly summary: string;
}

/** The pending changesets of a repository (.changeset/*.md but its README), as written. */
export function pendingChangesets(root: string): Changeset[] {
  const dir = join(root, '.changeset');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!match) throw new Error(`.changeset/${file}: no front matter`);
      const releases: Record<string, Bump> = {};
      for (const line of match[1].split('\n').filter((l) => l.trim())) {
        const release = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
        if (!release) throw new Error(`.changeset/${file}: cannot read front matter line ${JSON.stringify(line)}`);
        releases[release[1]] = release[2] as Bump;
      }
      return { file, releases, summary: match[2].trim() };
    });
}

const order: readonly Bump[] = ['patch', 'minor', 'major'];

/** The largest bump that the changesets ask for each package. */
export function requestedBumps(changesets: readonly Changeset[]): Map<string, Bump> {
  const bumps = new Map<string, Bump>();
  for (const { releases } of changesets) {
    for (const [name, bump] of Object.entries(releases)) {
      const current = bumps.get(name);
      if (!current || order.indexOf(bump) > order.indexOf(current)) bumps.set(name, bump);
    }
  }
  return bumps;
}

/** semver's increment of a plain x.y.z version. */
export function bumped(version: string, bump: Bump): string {
  const [major, minor, patch] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}
