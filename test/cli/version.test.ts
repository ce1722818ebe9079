import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/packageVersion.js';
import { runCli } from '../../src/cli/runCli.js';
import { fakeIo } from './fakeCliIo.js';

const repoPackage = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('invokeai-rx --version', () => {
  it('prints the version of package.json and exits 0, as --version and as -v', async () => {
    for (const flag of ['--version', '-v']) {
      const io = fakeIo(process.cwd());
      // No command table: the version is answered before any command is looked up.
      await expect(runCli([flag], io, {})).resolves.toBe(0);
      expect(io.stdout()).toBe(`${repoPackage.version}\n`);
      expect(io.stderr()).toBe('');
    }
  });

  it('is mentioned in the usage', async () => {
    const io = fakeIo(process.cwd());
    await runCli(['--help'], io, {});
    expect(io.stdout()).toMatch(/'invokeai-rx --version' \(or -v\)/);
  });
});

describe('packageVersion', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A project with invokeai-rx installed in node_modules, both with their own package.json. */
  function installed(version: string): string {
    const project = mkdtempSync(join(tmpdir(), 'invokeai-rx-version-'));
    dirs.push(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '7.0.0' }));
    const pkg = join(project, 'node_modules', 'invokeai-rx');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'invokeai-rx', version }));
    return pkg;
  }

  it('finds package.json from the sources (src/cli) and from the bundle (dist)', () => {
    const pkg = installed('3.1.4');
    mkdirSync(join(pkg, 'src', 'cli'), { recursive: true });
    expect(packageVersion(pathToFileURL(join(pkg, 'dist', 'cli.js')).href)).toBe('3.1.4');
    expect(packageVersion(pathToFileURL(join(pkg, 'src', 'cli', 'packageVersion.ts')).href)).toBe('3.1.4');
  });

  it("reads this repository's package.json from its own location", () => {
    expect(packageVersion()).toBe(repoPackage.version);
  });

  it("passes over the package.json of the project it is installed in, and says so when there is none of its own", () => {
    const pkg = installed('3.1.4');
    rmSync(join(pkg, 'package.json'));
    expect(() => packageVersion(pathToFileURL(join(pkg, 'dist', 'cli.js')).href)).toThrow(/Cannot find the package.json of invokeai-rx/);
  });
});
