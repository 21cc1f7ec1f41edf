import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { build as viteBuild, createLogger, type Plugin } from 'vite';

export interface Size {
  readonly raw: number;
  readonly gzip: number;
}

export interface BundleResult {
  /** Node built-ins that the bundle resolved, externalised or left for run time, with who imported them. */
  readonly builtins: readonly string[];
  /** The bundler's errors and warnings, as text. */
  readonly messages: readonly string[];
  /** Minified output, all chunks together; undefined when the build failed. */
  readonly size?: Size;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** `node:anything` or a bare built-in name, with or without a subpath (`fs/promises`). */
export const isNodeBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);

/**
 * Module specifiers of Node built-ins that output code still imports or requires (statically or
 * dynamically, through a literal): what a browser would fail to load.
 */
export function builtinImportsIn(code: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bimport\s*\(\s*|\brequire\s*\(\s*|\bfrom\s*|\bimport\s*)(["'`])([\w:@/.-]+)\1/g;
  for (const match of code.matchAll(pattern)) if (isNodeBuiltin(match[2])) found.add(match[2]);
  return [...found].sort();
}

const sizeOf = (chunks: readonly (string | Uint8Array)[]): Size => {
  const all = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c))));
  return { raw: all.length, gzip: gzipSync(all, { level: 9 }).length };
};

const peerPatterns = (peers: readonly string[]) => peers.flatMap((name) => [name, `${name}/*`]);

/**
 * esbuild, `platform: 'browser'`, of `entry` into `outfile`, minified. `external` (package names)
 * are left out of the bundle, to measure a package without its peer dependencies.
 */
export async function esbuildBundle(entry: string, outfile: string, external: readonly string[] = []): Promise<BundleResult> {
  const messages: string[] = [];
  const found: string[] = [];
  let result: esbuild.BuildResult<{ metafile: true; write: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      metafile: true,
      write: true,
      logLevel: 'silent',
      external: peerPatterns(external),
    });
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    for (const error of failure.errors ?? []) {
      const text = `${error.location?.file ?? ''}: ${error.text}`;
      messages.push(text);
      const specifier = /Could not resolve "([^"]+)"/.exec(error.text)?.[1];
      if (specifier && isNodeBuiltin(specifier)) found.push(`${specifier} (resolved by ${error.location?.file ?? '?'})`);
    }
    if (!failure.errors) messages.push(String(e));
    return { builtins: found, messages };
  }
  messages.push(...(await esbuild.formatMessages(result.warnings, { kind: 'warning' })));
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (isNodeBuiltin(imported.path) && (imported.external || !imported.path.includes('/node_modules/'))) {
        found.push(`${imported.path} (${imported.kind}${imported.external ? ', external' : ''}, from ${file})`);
      }
    }
  }
  const code = readFileSync(outfile, 'utf8');
  for (const specifier of builtinImportsIn(code)) found.push(`${specifier} (left in the output)`);
  return { builtins: [...new Set(found)], messages, size: sizeOf([code]) };
}

/**
 * vite (rolldown) production build of `entry` for the browser, minified, in memory, keeping its
 * exports (an app build, not library mode, which would inline onnxruntime-web's .wasm as base64).
 * vite replaces a Node built-in with an empty "__vite-browser-external" module and warns; a
 * package's own `browser: { "crypto": false }` mapping also lands there, silently, and is allowed.
 * The size counts the JavaScript chunks; `external` (package names) are left out of the bundle.
 */
export async function viteBundle(entry: string, root: string, external: readonly string[] = []): Promise<BundleResult> {
  const messages: string[] = [];
  const found: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  const note = (prefix: string) => (message: string) => messages.push(`${prefix}${message}`);
  const externals: Plugin = {
    name: 'release-tests:browser-externals',
    buildEnd() {
      for (const id of this.getModuleIds()) {
        if (!id.includes('__vite-browser-external')) continue;
        const ours = (this.getModuleInfo(id)?.importers ?? []).filter((importer) => importer.includes('/node_modules/@linearconv/'));
        for (const importer of ours) found.push(`${id} (externalised, from ${importer})`);
      }
    },
  };
  try {
    const output = await viteBuild({
      root,
      configFile: false,
      mode: 'production',
      logLevel: 'warn',
      customLogger: { ...logger, info: () => {}, warn: note(''), warnOnce: note(''), error: note('error: ') },
      plugins: [externals],
      build: {
        write: false,
        minify: true,
        target: 'es2022',
        reportCompressedSize: false,
        modulePreload: false,
        rolldownOptions: {
          input: entry,
          preserveEntrySignatures: 'strict',
          external: (id: string) => external.some((name) => id === name || id.startsWith(`${name}/`)),
        },
      },
    });
    const chunks = [output]
      .flat()
      .flatMap((o) => ('output' in o ? o.output : []))
      .flatMap((o) => (o.type === 'chunk' ? [o.code] : []));
    for (const message of messages) {
      const externalised = /Module "([^"]+)" has been externalized for browser compatibility, imported by "([^"]+)"/.exec(message);
      if (externalised) found.push(`${externalised[1]} (externalised, from ${externalised[2]})`);
    }
    for (const code of chunks) for (const specifier of builtinImportsIn(code)) found.push(`${specifier} (left in the output)`);
    return { builtins: [...new Set(found)], messages, size: sizeOf(chunks) };
  } catch (e) {
    messages.push(String((e as Error).message ?? e));
    return { builtins: found, messages };
  }
}

/** esbuild of a page's script into `outdir/page.js`, with an index.html that loads it. */
export async function esbuildPage(script: string, outdir: string): Promise<BundleResult> {
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'index.html'), pageHtml('./page.js'));
  return esbuildBundle(script, join(outdir, 'page.js'));
}

/** vite's app build of a page (index.html next to `script`) into `outdir`. */
export async function vitePage(script: string, outdir: string): Promise<BundleResult> {
  const root = dirname(script);
  writeFileSync(join(root, 'index.html'), pageHtml(`./${script.slice(root.length + 1)}`));
  const messages: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  const note = (message: string) => messages.push(message);
  try {
    await viteBuild({
      root,
      configFile: false,
      mode: 'production',
      base: './',
      logLevel: 'warn',
      customLogger: { ...logger, info: () => {}, warn: note, warnOnce: note, error: note },
      build: { outDir: outdir, emptyOutDir: true, minify: true, target: 'es2022', reportCompressedSize: false },
    });
    return { builtins: [], messages };
  } catch (e) {
    messages.push(String((e as Error).message ?? e));
    return { builtins: [], messages };
  }
}

const pageHtml = (src: string) => `<!doctype html>\n<meta charset="utf-8">\n<title>linearconv bundle</title>\n<script type="module" src="${src}"></script>\n`;
