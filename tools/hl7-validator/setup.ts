/**
 * Sets up the official HL7 FHIR validator (ValidatorCli 6.5.18) to run offline
 * from the project's own files, into the git-ignored `.cache/hl7-validator/`:
 *
 *   lib/       the validator's jars (Maven, from ./pom.xml)
 *   home/      what the validator takes for `~` (it is started with -Duser.home):
 *              .fhir/fhir-settings.json (no network: the packages are all here)
 *              .fhir/packages/  the FHIR package cache
 *
 * The package cache holds hl7.fhir.r4.core#4.0.1, built from the official R4
 * definitions in hapi-fhir-validation-resources-r4 (CorePackage.java; the npm
 * registry lists hl7.fhir.r4.core without versions), and the packages below
 * from npm. ValidatorCli 6.5.18 asks for versions that are not on npm
 * (hl7.terminology.r4#6.2.0, hl7.fhir.uv.extensions.r4#5.2.0, the R5
 * hl7.fhir.uv.extensions), and these packages depend on each other in a circle
 * the validator follows until its stack overflows; so the versions it asks for
 * are served by the nearest published one, with dependencies cut to the core.
 * Every step is skipped when its result is already there, so a cached run
 * costs milliseconds.
 *
 * Usage: npx tsx tools/hl7-validator/setup.ts   (the validator test calls it too)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOLS = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = join(TOOLS, '..', '..');
export const CACHE = join(ROOT, '.cache', 'hl7-validator');
export const LIB = join(CACHE, 'lib');
export const HOME = join(CACHE, 'home');
const PACKAGES = join(HOME, '.fhir', 'packages');

/** npm packages the validator loads, as published. */
const NPM: readonly { name: string; version: string }[] = [
  { name: 'hl7.terminology.r4', version: '7.0.1' },
  { name: 'hl7.terminology', version: '7.0.1' },
  { name: 'hl7.fhir.uv.extensions.r4', version: '5.3.0-ballot-tc1' },
  { name: 'hl7.fhir.xver-extensions', version: '0.1.0' },
];

/** Package versions the validator asks for by name, and the published package that stands in for each. */
const STAND_INS: readonly { as: string; from: string }[] = [
  { as: 'hl7.terminology.r4#6.2.0', from: 'hl7.terminology.r4#7.0.1' },
  { as: 'hl7.terminology.r4#6.5.0', from: 'hl7.terminology.r4#7.0.1' },
  { as: 'hl7.fhir.uv.extensions.r4#5.2.0', from: 'hl7.fhir.uv.extensions.r4#5.3.0-ballot-tc1' },
  // The R5 name the validator loads "latest" of; the R4 edition carries the same extensions in R4 form.
  { as: 'hl7.fhir.uv.extensions#5.3.0-ballot-tc1', from: 'hl7.fhir.uv.extensions.r4#5.3.0-ballot-tc1' },
];

/** Published packages whose dependencies lead out of what is here (hl7.terminology needs the R5 extensions). */
const CUT_DEPENDENCIES = ['hl7.terminology#7.0.1'];

const CORE = 'hl7.fhir.r4.core#4.0.1';

function log(msg: string): void {
  process.stderr.write(`hl7-validator setup: ${msg}\n`);
}

function ensureJars(): void {
  const pom = join(TOOLS, 'pom.xml');
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex');
  const stamp = join(LIB, '.pom-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  log('fetching the validator with Maven');
  rmSync(LIB, { recursive: true, force: true });
  execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${LIB}`, '-DincludeScope=runtime'], { stdio: ['ignore', 'inherit', 'inherit'] });
  writeFileSync(stamp, digest);
}

export const classpath = (): string => join(LIB, '*');

/** Rewrites a cache entry's package.json (a fresh file, since stand-ins share the others with their source by hard link). */
function editManifest(dir: string, edit: (p: Record<string, unknown>) => void): void {
  const file = join(dir, 'package', 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  rmSync(file);
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Builds a cache entry in a temporary folder and moves it in whole, so an interrupted run leaves nothing half made. */
function install(id: string, build: (tmp: string) => void): void {
  const dest = join(PACKAGES, id);
  if (existsSync(join(dest, 'package', 'package.json'))) return;
  const tmp = mkdtempSync(join(CACHE, 'tmp-'));
  try {
    build(tmp);
    rmSync(dest, { recursive: true, force: true });
    renameSync(join(tmp, 'entry'), dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function ensurePackages(): void {
  mkdirSync(PACKAGES, { recursive: true });
  // The validator empties a cache folder whose packages.ini it does not recognise.
  writeFileSync(join(PACKAGES, 'packages.ini'), '[cache]\nversion=3\n\n[urls]\n\n[local]\n');
  writeFileSync(join(HOME, '.fhir', 'fhir-settings.json'), `${JSON.stringify({ prohibitNetworkAccess: true }, null, 2)}\n`);

  install(CORE, (tmp) => {
    log(`building ${CORE} from hapi-fhir-validation-resources-r4`);
    execFileSync('java', ['-cp', classpath(), join(TOOLS, 'CorePackage.java'), join(tmp, 'entry')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });
  for (const { name, version } of NPM) {
    install(`${name}#${version}`, (tmp) => {
      log(`npm pack ${name}@${version}`);
      const tgz = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
      mkdirSync(join(tmp, 'entry'));
      execFileSync('tar', ['xzf', join(tmp, tgz), '-C', join(tmp, 'entry')]);
    });
  }
  for (const id of CUT_DEPENDENCIES) {
    editManifest(join(PACKAGES, id), (p) => {
      p.dependencies = {};
    });
  }
  for (const { as, from } of STAND_INS) {
    install(as, (tmp) => {
      const [name = '', version = ''] = as.split('#');
      cpSync(join(PACKAGES, from), join(tmp, 'entry'), { recursive: true });
      editManifest(join(tmp, 'entry'), (p) => {
        p.name = name;
        p.version = version;
        p.dependencies = { 'hl7.fhir.r4.core': '4.0.1' };
        p['samplan-stand-in'] = `${from}, published, served as ${as}, which is not (tools/hl7-validator/setup.ts)`;
      });
    });
  }
}

/** Makes sure the validator and its package cache are in place (idempotent; fast when cached). */
export function ensureValidator(): void {
  mkdirSync(CACHE, { recursive: true });
  ensureJars();
  ensurePackages();
}

/** Every package in the cache, for the report. */
export function cachedPackages(): string[] {
  return readdirSync(PACKAGES).filter((f) => f.includes('#')).sort();
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureValidator();
  log(`ready: ${cachedPackages().join(', ')}`);
}
