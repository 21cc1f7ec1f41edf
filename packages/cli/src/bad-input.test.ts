import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedCasesDir } from '@linearconv/conformance/node';
import { linearConv2d } from '@linearconv/tfjs';
import { fileSystem } from '@linearconv/tfjs/node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { partialInstall } from './test-support/partial-install.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** Files the rows refer to, made once: $ in an argument is replaced by this folder. */
const dir = mkdtempSync(join(tmpdir(), 'linearconv-bad-'));
const never = join(dir, 'never.onnx');

beforeAll(async () => {
  const model = tf.sequential({ layers: [linearConv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 2] }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
  await model.save(fileSystem(join(dir, 'model')));
  model.dispose();
  const json = JSON.parse(readFileSync(join(dir, 'model/model.json'), 'utf8'));
  const variant = (name: string, edit: (j: typeof json) => void) => {
    const copy = structuredClone(json);
    edit(copy);
    writeFileSync(join(dir, 'model', name), JSON.stringify(copy));
  };
  variant('no-weights.json', (j) => (j.weightsManifest[0].paths = ['gone.bin']));
  variant('escaping.json', (j) => (j.weightsManifest[0].paths = ['../../../../etc/hostname']));
  variant('unknown-layer.json', (j) => (j.modelTopology.config.layers[1].class_name = 'NoSuchLayer'));
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'folder.json'));
  mkdirSync(join(dir, 'cases'));
  writeFileSync(join(dir, 'cases/bad.json'), JSON.stringify({ format: 'linearconv-case@1', name: 'bad', layer: { inChannels: 2 } }));
  symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
  execFileSync('mkfifo', [join(dir, 'fifo.json')]);
});

const exportArgs = (...extra: string[]) => ['export', ...extra, '--mode', 'compact'];

// Each row: the arguments, and what the one line on stderr must say (it names the parameter or file).
const rows: [string, string[], RegExp][] = [
  ['no command', [], /^Usage: linearconv <command>/],
  ['an unknown command', ['frobnicate'], /^linearconv: unknown command "frobnicate"; known commands: params, conformance, export, import-torch, bench, report/],
  ['an unknown option', ['params', '--modle', 'base'], /^linearconv params: Unknown option '--modle'/],
  ['a stray argument', ['params', 'base'], /^linearconv params: Unexpected argument 'base'/],
  ['an option without its value', ['params', '--model'], /^linearconv params: Option '--model <value>' argument missing/],
  ['an unknown model', ['params', '--model', 'alexnet'], /^linearconv params: model: must be one of base, vgg11/],
  ['an unknown variant', ['params', '--model', 'base', '--variant', 'sparse'], /--variant must be one of conv, full, lowrank, got "sparse"/],
  ['a rank of 0', ['params', '--model', 'base', '--variant', 'lowrank', '--rank', '0'], /--rank must be a positive integer, got "0"/],
  ['an unknown backend', ['conformance', '--backend', 'tfjs-gpu'], /^linearconv conformance: --backend: unknown backend "tfjs-gpu"; known backends: reference, /],
  ['missing --cases', ['conformance', '--cases', '$/nowhere'], /^linearconv conformance: .*\/nowhere: \(file\): does not exist\n$/],
  ['a folder without cases', ['conformance', '--cases', '$/empty'], /\/empty: \(folder\): holds no case files/],
  ['a folder named *.json', ['conformance', '--cases', '$/folder.json'], /\/folder\.json: \(file\): is a folder, not a regular file/],
  ['a dangling link', ['conformance', '--cases', '$/dangling.json'], /\/dangling\.json: \(file\): is a symbolic link whose target does not exist/],
  ['a FIFO', ['conformance', '--cases', '$/fifo.json'], /\/fifo\.json: \(file\): is a FIFO, not a regular file/],
  ['a malformed case', ['conformance', '--cases', '$/cases', '--backend', 'reference'], /\/cases\/bad\.json: layer\.outChannels: is required/],
  ['export without --out', ['export', '--model', 'base', '--mode', 'compact'], /--out FILE\.onnx is required/],
  ['an unknown mode', ['export', '--model', 'base', '--mode', 'tiny', '--out', never], /--mode must be compact or folded, got "tiny"/],
  ['both a model.json and --model', [...exportArgs('$/model/model.json', '--model', 'base'), '--out', never], /give a model\.json path or --model NAME \(one of them\)/],
  ['a batch of -1', [...exportArgs('--model', 'base'), '--batch=-1', '--out', never], /--batch must be a positive integer, got "-1"/],
  ['--out into a missing folder', [...exportArgs('--model', 'base'), '--out', '$/missing/m.onnx'], /--out .*\/missing\/m\.onnx: the directory .*\/missing does not exist/],
  ['--out onto a folder', [...exportArgs('--model', 'base'), '--out', '$/empty'], /--out .*\/empty: is a directory; give a file path/],
  ['--out below a file', [...exportArgs('--model', 'base'), '--out', '$/model/model.json/m.onnx'], /--out .*: .*\/model\.json is not a directory/],
  ['--out in a read-only place', [...exportArgs('$/model/model.json'), '--out', '/sys/m.onnx'], /--out \/sys\/m\.onnx: cannot write/],
  ['a missing model.json', [...exportArgs('$/model/gone.json'), '--out', never], /^linearconv export: path: .*\/gone\.json does not exist/],
  ['a folder without model.json', [...exportArgs('$/empty'), '--out', never], /path: .*\/empty is a directory without a model\.json/],
  ['a missing weights file', [...exportArgs('$/model/no-weights.json'), '--out', never], /weightsManifest\[0\]\.paths\[0\]: .*\/gone\.bin does not exist \(a weight file of .*no-weights\.json\)/],
  ['weights outside the model folder', [...exportArgs('$/model/escaping.json'), '--out', never], /weightsManifest\[0\]\.paths\[0\]: "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" is outside the directory of/],
  ['an unknown layer class', [...exportArgs('$/model/unknown-layer.json'), '--out', never], /unknown-layer\.json: unknown layer class "NoSuchLayer"/],
  ['a case file as model.json', [...exportArgs(join(committedCasesDir, 'odd-f7.json')), '--out', never], /modelTopology: .*odd-f7\.json has none: it is not a model\.json saved by tfjs \(it is a linearconv conformance case file\)/],
  ['a FIFO as model.json', [...exportArgs('$/fifo.json'), '--out', never], /path: .*\/fifo\.json is not a regular file/],
];

describe('bad input to the CLI', () => {
  it.each(rows)('%s: exit 2 and one line naming it', async (_, argv, message) => {
    const { code, out, err } = await cli(...argv.map((a) => a.replace(/^\$/, dir)));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    // Usage text is the one multi-line answer (to no command at all).
    if (argv.length > 0) expect(err.trimEnd().split('\n'), err).toHaveLength(1);
    expect(existsSync(never)).toBe(false);
  });

  it('names a backend given with --backend that cannot start, with its reason, before running any', () => {
    const run = partialInstall([])('conformance', '--backend', 'reference', '--backend', 'tfjs-cpu');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'linearconv conformance: --backend tfjs-cpu: cannot start: the tfjs backends: needs @linearconv/tfjs, which is not installed (npm install @linearconv/tfjs)\n',
    );
  });

  it('without --backend, lists a backend that cannot start as unavailable and still passes on the others', () => {
    const run = partialInstall([])('conformance', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.unavailable.map((u: { backend: string }) => u.backend)).toContain('tfjs-cpu');
    expect(report.unavailable.find((u: { backend: string }) => u.backend === 'onnx-node-folded').reason).toMatch(/needs @linearconv\/onnx/);
    expect(report.passed).toBeGreaterThan(0);
    expect(report.failed).toBe(0);
  });
});
