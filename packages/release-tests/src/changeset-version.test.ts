import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changelogReleases, foreignSubjects, isDependencyUpdate } from './changelog.js';
import { bumped, type Changeset, pendingChangesets, requestedBumps } from './changesets.js';
import { copyRepository } from './repo-copy.js';
import { type PackageJson, publicPackages, readJson, repoRoot } from './workspace.js';

// `changeset version` as a release would run it, on a throwaway copy of the repository (no git
// needed: with `commit: false` changesets only reads .changeset/ and the package.json files).
const changesetBin = join(repoRoot, 'node_modules', '.bin', 'changeset');
const before = publicPackages();
// A minor release of a package that others peer-depend on is what used to take them to 1.0.0; the
// copy gets one for each such package, so the check holds after the pending changesets are released.
const peerDepended = [...new Set(before.flatMap((p) => Object.keys(p.json.peerDependencies ?? {})))]
  .filter((name) => before.some((p) => p.json.name === name))
  .sort();
const privateDirs = ['benchmarks', 'examples/mnist', 'packages/release-tests', 'packages/test-support'];

describe('changeset version on a copy of the repository', () => {
  let copy = '';
  let changesets: Changeset[] = [];
  let output = '';
  beforeAll(() => {
    copy = copyRepository('linearconv-changeset-');
    for (const name of peerDepended) {
      const file = join(copy, '.changeset', `release-tests-probe-${name.split('/')[1]}.md`);
      writeFileSync(file, `---\n"${name}": minor\n---\n\nA probe release of this package, made by the release test.\n`);
    }
    changesets = pendingChangesets(copy);
    output = execFileSync(changesetBin, ['version'], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }, 120_000);
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });
  const after = (short: string) => readJson(join(copy, 'packages', short, 'package.json'));

  it('reads the pending changesets and a minor probe for each peer dependency', () => {
    expect(peerDepended.length).toBeGreaterThan(0);
    expect(changesets.length, output).toBeGreaterThan(peerDepended.length - 1);
    const names = new Set(before.map((p) => p.json.name));
    for (const changeset of changesets) {
      for (const name of Object.keys(changeset.releases)) expect(names, `${changeset.file} names ${name}`).toContain(name);
    }
  });

  it('keeps every public 0.x package at 0.x, at exactly the bump its own changesets ask for', () => {
    const bumps = requestedBumps(changesets);
    const versions = Object.fromEntries(before.map((p) => [p.json.name, after(p.short).version]));
    for (const { json } of before) {
      const own = bumps.get(json.name);
      expect(own, `${json.name}: a major changeset before 1.0`).not.toBe('major');
      if (json.version.startsWith('0.')) expect(versions[json.name], JSON.stringify(versions)).toMatch(/^0\./);
      if (own) expect(versions[json.name], `${json.name} ${json.version} with a ${own} changeset`).toBe(bumped(json.version, own));
      else expect([json.version, bumped(json.version, 'patch')], `${json.name}: only a dependency update`).toContain(versions[json.name]);
    }
  });

  it('leaves the private packages alone', () => {
    for (const dir of privateDirs.filter((d) => existsSync(join(repoRoot, d, 'package.json')))) {
      const was = readJson<PackageJson>(join(repoRoot, dir, 'package.json')).version;
      expect(readJson<PackageJson>(join(copy, dir, 'package.json')).version, dir).toBe(was);
      expect(existsSync(join(copy, dir, 'CHANGELOG.md')), `${dir}/CHANGELOG.md`).toBe(false);
    }
  });

  it('writes CHANGELOGs in which each package speaks only of its own changes', () => {
    const names = before.map((p) => p.json.name);
    const foreign: string[] = [];
    for (const { short, json } of before) {
      const file = join(copy, 'packages', short, 'CHANGELOG.md');
      if (!existsSync(file)) continue;
      const [latest] = changelogReleases(readFileSync(file, 'utf8'));
      expect(latest?.version, relative(copy, file)).toBe(after(short).version);
      for (const entry of latest.entries.filter((e) => !isDependencyUpdate(e))) {
        const others = foreignSubjects(entry, json.name, names);
        if (others.length > 0) foreign.push(`${json.name} CHANGELOG names ${others.join(', ')} as its subject: "${entry.slice(0, 120)}…"`);
      }
    }
    expect(foreign).toEqual([]);
  });

  it('consumes every changeset', () => {
    expect(pendingChangesets(copy).map((c) => c.file)).toEqual([]);
  });
});
