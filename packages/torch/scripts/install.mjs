// Finds libtorch (LIBTORCH, then a Python torch install, then the system), installs Debian's
// libtorch-dev when none is found and we are root, and builds the native addon with node-gyp
// against the local Node headers (nothing is downloaded).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const log = (m) => console.log(`[@monai-ts/torch] ${m}`);
const fail = (m) => {
  console.error(`[@monai-ts/torch] ${m}`);
  process.exit(1);
};

const MIN = [1, 13];
const MAX_MAJOR = 2;

function libDirOf(prefix) {
  for (const d of ['lib', 'lib64', 'lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu']) {
    const p = join(prefix, d);
    if (existsSync(join(p, 'libtorch_cpu.so'))) return p;
  }
  return null;
}

function candidate(prefix, source) {
  const include = join(prefix, 'include');
  const lib = libDirOf(prefix);
  if (!lib || !existsSync(join(include, 'ATen', 'ATen.h'))) return null;
  if (!existsSync(join(include, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h'))) return null;
  return { include, lib, source };
}

function fromPython() {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch, os; print(os.path.dirname(torch.__file__))'], { encoding: 'utf8' });
    if (r.status === 0) {
      const c = candidate(r.stdout.trim(), `Python torch (${py})`);
      if (c) return c;
    }
  }
  return null;
}

function fromSystem() {
  for (const p of ['/usr', '/usr/local']) {
    const c = candidate(p, `system (${p})`);
    if (c) return c;
  }
  return null;
}

function find() {
  if (process.env.LIBTORCH) {
    const c = candidate(resolve(process.env.LIBTORCH), 'LIBTORCH');
    if (!c) fail(`LIBTORCH=${process.env.LIBTORCH} has no include/ATen/ATen.h and lib/libtorch_cpu.so; point it at an unpacked libtorch distribution`);
    return c;
  }
  return fromPython() ?? fromSystem();
}

function aptInstall() {
  const isDebian = existsSync('/etc/debian_version');
  const cmd = 'apt-get update && apt-get install -y libtorch-dev libgloo-dev';
  if (!isDebian) fail('no libtorch found. Set LIBTORCH to an unpacked libtorch distribution (include/ and lib/).');
  if (process.getuid?.() !== 0) fail(`no libtorch found. Install it with:\n  sudo sh -c '${cmd}'\nor set LIBTORCH to an unpacked libtorch distribution.`);
  log('no libtorch found; installing Debian packages libtorch-dev and libgloo-dev (this takes a few minutes)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'libtorch-dev', 'libgloo-dev']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) fail(`'apt-get ${args.join(' ')}' failed (exit ${r.status}); run '${cmd}' by hand`);
  }
}

function version(include) {
  const h = readFileSync(join(include, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h'), 'utf8');
  const major = Number(/TORCH_VERSION_MAJOR\s+(\d+)/.exec(h)?.[1]);
  const minor = Number(/TORCH_VERSION_MINOR\s+(\d+)/.exec(h)?.[1]);
  return [major, minor];
}

// libtorch is built with either C++11 ABI; the addon must match or it fails to load.
function cxx11Abi(lib) {
  try {
    const syms = execFileSync('nm', ['-D', '--defined-only', join(lib, 'libc10.so')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return syms.includes('__cxx11') ? 1 : 0;
  } catch {
    return 1;
  }
}

function nodeDir() {
  // Headers of the running Node (Debian and nodesource put them under <prefix>/include/node).
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

let lt = find();
if (!lt) {
  aptInstall();
  lt = fromSystem();
  if (!lt) fail('libtorch-dev was installed but its headers or libraries were not found under /usr');
}
if (!existsSync('/usr/include/gloo') && existsSync('/etc/debian_version') && process.getuid?.() === 0 && lt.source.startsWith('system')) {
  spawnSync('apt-get', ['install', '-y', '-qq', 'libgloo-dev'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
// The distributed interoperability test runs a Python PyTorch rank next to a Node one: as root on
// Debian, install Debian's python3-torch when /usr/bin/python3 cannot import torch. Not fatal: only
// that test needs it (and it fails, saying so, without it).
if (existsSync('/etc/debian_version') && process.getuid?.() === 0 && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
  log('installing Debian package python3-torch (for the Node + Python distributed test)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'python3-torch'], { stdio: 'inherit', env });
  if (r.status !== 0) log(`'apt-get install python3-torch' failed (exit ${r.status}); the distributed interop test will fail until it is installed`);
}
const [major, minor] = version(lt.include);
if (!(major > MIN[0] || (major === MIN[0] && minor >= MIN[1])) || major > MAX_MAJOR)
  fail(`libtorch ${major}.${minor} from ${lt.source} is not supported: need 1.13 to 2.x`);
const withCuda = existsSync(join(lt.lib, 'libtorch_cuda.so')) ? 1 : 0;
const abi = cxx11Abi(lt.lib);
log(`libtorch ${major}.${minor} from ${lt.source}: ${lt.lib}${withCuda ? ' (CUDA)' : ''}, CXX11 ABI ${abi}`);

const stamp = join(pkgDir, 'build', 'libtorch.json');
const config = JSON.stringify({ ...lt, major, minor, withCuda, abi, node: process.version });
const force = process.argv.includes('--force');
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const nd = nodeDir();
const common = nd ? [`--nodedir=${nd}`] : [];
const vars = [`-Dlibtorch_include=${lt.include}`, `-Dlibtorch_lib=${lt.lib}`, `-Dcxx11_abi=${abi}`, `-Dwith_cuda=${withCuda}`];
const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
// A CUDA build's c10/cuda headers include the CUDA toolkit's (cuda_runtime_api.h); gcc finds them on CPATH.
const cudaInclude = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter(Boolean).map((d) => join(d, 'include')).find((d) => existsSync(join(d, 'cuda_runtime_api.h')));
const buildEnv = withCuda && cudaInclude ? { ...process.env, CPATH: [cudaInclude, process.env.CPATH].filter(Boolean).join(':') } : process.env;
const run = (args) => {
  const r = spawnSync(process.execPath, [gyp, ...args], { cwd: pkgDir, stdio: 'inherit', env: buildEnv });
  if (r.status !== 0) fail(`node-gyp ${args[0]} failed (exit ${r.status})`);
};
if (force || previous !== config || !existsSync(join(pkgDir, 'build', 'Makefile'))) run(['configure', ...common, '--', ...vars]);
run(['build', ...common, `--jobs=${Math.max(1, Math.min(4, (await import('node:os')).availableParallelism()))}`]);
mkdirSync(join(pkgDir, 'build'), { recursive: true });
writeFileSync(stamp, config);
log('native addon built: build/Release/torch_native.node');
