/**
 * How a pool thread loads the library. Running from the built JavaScript, it imports the entry directly.
 * Running from the TypeScript sources (tsx: tests, benches, examples), a thread that compiled them all
 * again through tsx would take seconds to start; so when every package whose sources are running has a
 * `dist/` build at least as new as each source file, the thread loads that build instead (about 4x
 * faster). A user module written in TypeScript still loads through tsx there, and its imports of the
 * packages' sources are redirected to the same `dist/` files, so each class exists once per thread.
 * MONAI_TS_WORKER_LOADER=tsx turns the shortcut off; =dist takes the build without checking that it is current.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerLoader {
  /** 'js': the entry is built JavaScript; 'dist': sources running here, the build in the worker; 'tsx': sources in both */
  mode: 'js' | 'dist' | 'tsx';
  /** a JavaScript expression (in the worker's CommonJS bootstrap) giving a promise of the entry module */
  load: string;
  /** the worker's execArgv (undefined: inherit this thread's) */
  execArgv?: string[];
}

/** Package roots whose sources this thread runs: [srcDir, distDir] pairs (as file URLs ending in '/'). */
function sourceRoots(): [string, string][] {
  const here = fileURLToPath(import.meta.url);
  const roots = [path.resolve(path.dirname(here), '..')]; // packages/monai/src
  try {
    const torchEntry = import.meta.resolve('@monai-ts/torch');
    if (torchEntry.endsWith('.ts')) roots.push(path.dirname(fileURLToPath(torchEntry)));
  } catch {
    // not resolvable here: the worker resolves it the same way it always does
  }
  return roots.map((src) => [pathToFileURL(src).href + '/', pathToFileURL(path.join(path.dirname(src), 'dist')).href + '/']);
}

/** Whether every .ts file under srcDir has its .js in distDir, modified no earlier. */
export function buildIsCurrent(srcDir: string, distDir: string): boolean {
  const walk = (rel: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(srcDir, rel), { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (!walk(r)) return false;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = fs.statSync(path.join(distDir, r.slice(0, -3) + '.js'), { throwIfNoEntry: false });
        if (!js || js.mtimeMs < fs.statSync(path.join(srcDir, r)).mtimeMs) return false;
      }
    }
    return true;
  };
  return walk('');
}

let cached: { roots: [string, string][]; current: boolean } | null = null;

/** Options of this process's node that only make sense for the sources (tsx, the 'source' export condition). */
export function execArgvForBuild(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--conditions=source' || a === '-C=source') continue;
    if ((a === '--conditions' || a === '-C' || a === '--import' || a === '--loader') && (argv[i + 1] === 'source' || argv[i + 1] === 'tsx')) {
      i++;
      continue;
    }
    if (a === '--import=tsx' || a === '--loader=tsx') continue;
    out.push(a);
  }
  return out;
}

/** How to start a pool thread whose entry is `entry` (a URL next to this file), given the user modules it will import. */
export function workerLoader(entry: URL, modules: readonly string[]): WorkerLoader {
  if (!entry.pathname.endsWith('.ts')) return { mode: 'js', load: `import(${JSON.stringify(entry.href)})` };
  const tsx = (then: string) => `import('tsx/esm/api').then((m) => { m.register(); ${then} })`;
  const viaTsx: WorkerLoader = { mode: 'tsx', load: tsx(`return import(${JSON.stringify(entry.href)});`) };
  if (process.env.MONAI_TS_WORKER_LOADER === 'tsx') return viaTsx;
  const choice = process.env.MONAI_TS_WORKER_LOADER ?? 'auto';
  if (choice !== 'auto' && choice !== 'dist') throw new Error(`MONAI_TS_WORKER_LOADER must be 'auto', 'tsx' or 'dist', found '${choice}'`);
  if (!cached) {
    const roots = sourceRoots();
    cached = { roots, current: choice === 'dist' || roots.every(([s, d]) => buildIsCurrent(fileURLToPath(s), fileURLToPath(d))) };
  }
  if (!cached.current) return viaTsx;
  const { roots } = cached;
  const mapped = (url: string): string => {
    for (const [s, d] of roots) if (url.startsWith(s)) return d + url.slice(s.length, -3) + '.js';
    return url;
  };
  const distEntry = JSON.stringify(mapped(entry.href));
  if (modules.length === 0) return { mode: 'dist', load: `import(${distEntry})`, execArgv: execArgvForBuild(process.execArgv) };
  // user modules (TypeScript, or JavaScript importing the sources): tsx for them, and a resolve hook (run
  // before tsx's) sending the packages' sources to dist
  const hook = `const roots = ${JSON.stringify(roots)};
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  for (const [s, d] of roots) if (r.url.startsWith(s) && r.url.endsWith('.ts')) return { ...r, url: d + r.url.slice(s.length, -3) + '.js', format: 'module' };
  return r;
}`;
  const register = `require('node:module').register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  // the package loads first, without hooks (each hooked import is a round trip to the hooks thread)
  const barrel = JSON.stringify(mapped(new URL('../index.ts', import.meta.url).href));
  return { mode: 'dist', load: `import(${barrel}).then(() => ${tsx(`${register} return import(${distEntry});`)})`, execArgv: execArgvForBuild(process.execArgv) };
}
