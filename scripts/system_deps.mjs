// Debian packages the repository's own tests use beyond libtorch (installed by @monai-ts/torch's
// install script): Chromium for the dashboard's browser test. As root on Debian, `npm ci` installs what is
// missing with apt; otherwise it prints the command and carries on (the tests that need a package fail,
// naming it). Runs from the root package's `prepare`, so installing monai-ts from npm never does this.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const wanted = [{ pkg: 'chromium', present: () => existsSync('/usr/lib/chromium/chromium') || existsSync('/usr/bin/chromium'), why: 'the dashboard test drives it headless' }];
const missing = wanted.filter((w) => !w.present());
if (missing.length && existsSync('/etc/debian_version')) {
  const names = missing.map((m) => m.pkg);
  if (process.getuid?.() === 0 && process.env.MONAI_TS_NO_APT !== '1') {
    console.log(`[monai-ts] installing Debian packages ${names.join(', ')} (${missing.map((m) => m.why).join('; ')})`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
    }
    if (r.status !== 0) console.warn(`[monai-ts] apt-get install ${names.join(' ')} failed (exit ${r.status}); the tests that need it will fail`);
  } else {
    console.warn(`[monai-ts] missing Debian packages for some tests: ${names.join(', ')}; install with: sudo apt-get install -y ${names.join(' ')}`);
  }
}
