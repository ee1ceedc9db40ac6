#!/usr/bin/env node
// A STAND-IN for wsl.exe, for the tests on Linux: not WSL. It keeps real state (each imported
// distribution's root filesystem unpacked into the folder --import was given, its name in a state
// folder), prints only wsl.exe's recorded answers (test/contract/fixtures, each with its source),
// and runs `-d NAME --exec PROGRAM ...` in that root the way WSL's own init leaves a distribution:
// a mount namespace and a PID namespace of its own, /proc, /sys, /dev and the cgroup2 hierarchy
// mounted, the host's network shared (WSL2's distributions share the utility VM's). Needs root.
// AIWAY_WSL_STAND_IN_STATE names its state folder; the adapter finds it through AIWAY_WSL_EXE.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = path.join(import.meta.dirname, '..', 'contract', 'fixtures');
const STATE = process.env.AIWAY_WSL_STAND_IN_STATE;
if (!STATE) {
  process.stderr.write('the wsl.exe stand-in needs AIWAY_WSL_STAND_IN_STATE\n');
  process.exit(2);
}
mkdirSync(STATE, { recursive: true });

const recorded = (folder, name) => readFileSync(path.join(FIXTURES, folder, `${name}.out`));
const say = (folder, name, exit) => {
  process.stdout.write(recorded(folder, name));
  process.exit(exit);
};
const ok = () => say('wsl-session', 'en-operation-completed', 0);
const notFound = () => say('wsl-session', 'en-distro-not-found', 255); // wsl.exe's -1
const record = (name) => path.join(STATE, `${name}.json`);
const distro = (name) => (existsSync(record(name)) ? JSON.parse(readFileSync(record(name), 'utf8')) : null);

/** Ends the distribution's running programs: each exec's unshare, whose PID namespace dies with it. */
function terminate(name) {
  const d = distro(name);
  for (const pid of d?.pids ?? []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* ended already */
    }
  }
  if (d) writeFileSync(record(name), JSON.stringify({ ...d, pids: [] }));
}

const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case '--status':
    say('wsl-status', 'en-opensuse-tumbleweed', 0);
    break;
  case '--version':
    say('wsl-version', 'en-1-1-2', 0);
    break;
  case '--list': {
    const names = readdirSync(STATE)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    if (!names.length) say('wsl-list-verbose', 'en-no-distributions-wsl-l-2020', 255);
    process.stdout.write(names.map((n) => `${n}\r\n`).join(''));
    process.exit(0);
    break;
  }
  case '--import': {
    const [name, folder, tarball] = rest;
    if (distro(name) || existsSync(path.join(folder, 'rootfs'))) say('wsl-session', 'en-import-location-in-use', 255);
    mkdirSync(path.join(folder, 'rootfs'), { recursive: true });
    const tar = spawnSync('tar', ['-xf', tarball, '-C', path.join(folder, 'rootfs')], { stdio: 'inherit' });
    if (tar.status !== 0) process.exit(255);
    writeFileSync(record(name), JSON.stringify({ folder, pids: [] }));
    ok();
    break;
  }
  case '--terminate':
    if (!distro(rest[0])) notFound();
    terminate(rest[0]);
    ok();
    break;
  case '--unregister': {
    const d = distro(rest[0]);
    if (!d) notFound();
    terminate(rest[0]);
    rmSync(path.join(d.folder, 'rootfs'), { recursive: true, force: true }); // the distribution's disk
    rmSync(record(rest[0]), { force: true });
    ok();
    break;
  }
  case '-d': {
    const [name, exec, ...command] = rest;
    const d = distro(name);
    if (!d || exec !== '--exec') notFound();
    const root = path.join(d.folder, 'rootfs');
    const setup = [
      'set -e',
      'r=$1; shift',
      'mount --bind "$r" "$r"',
      'mount -t proc proc "$r/proc"',
      'mount -t sysfs sysfs "$r/sys"',
      'mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"',
      'mount --rbind /dev "$r/dev"',
      // pivot_root, not chroot: the kernel refuses a new user namespace (the app's sandbox) to a chrooted process.
      'cd "$r"',
      'pivot_root . mnt',
      'cd /',
      'umount -l /mnt',
      'exec "$@"',
    ].join('\n');
    const child = spawn(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', 'sh', '-c', setup, 'sh', root, ...command],
      {
        stdio: 'inherit',
      },
    );
    writeFileSync(record(name), JSON.stringify({ ...d, pids: [...d.pids, child.pid] }));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 9 : 1)));
    break;
  }
  default:
    process.exit(255);
}
