/**
 * Publishes profiles/ as a FHIR package (https://confluence.hl7.org/display/FHIR/NPM+Package+Specification):
 * build/package/package/ with package.json (the FHIR fields: name, version,
 * canonical, fhirVersions, dependencies; also a valid npm manifest), .index.json
 * and every resource, so `npm pack build/package/package` makes the tgz (entries
 * under package/, as FHIR packages have them) others load with `-ig` or their tooling.
 * Usage: npm run build:package
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROFILES = join(ROOT, 'profiles');
export const PACKAGE_DIR = join(ROOT, 'build', 'package');

interface Conformance {
  resourceType: string;
  id: string;
  url?: string;
  version?: string;
  kind?: string;
  type?: string;
}

/** A line of `.index.json`: the fields of the resource it lists, and its file. */
export interface IndexEntry extends Conformance {
  filename: string;
}

export function buildPackage(out = PACKAGE_DIR): { manifest: Record<string, unknown>; index: IndexEntry[] } {
  const dir = join(out, 'package');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const index: IndexEntry[] = [];
  const versions = new Set<string>();
  for (const file of readdirSync(PROFILES).filter((f) => f.endsWith('.json')).sort()) {
    const text = readFileSync(join(PROFILES, file), 'utf8');
    const r = JSON.parse(text) as Conformance;
    writeFileSync(join(dir, file), text);
    if (r.version) versions.add(r.version);
    index.push({
      filename: file,
      resourceType: r.resourceType,
      id: r.id,
      ...(r.url ? { url: r.url } : {}),
      ...(r.version ? { version: r.version } : {}),
      ...(r.kind ? { kind: r.kind } : {}),
      ...(r.resourceType === 'StructureDefinition' && r.type ? { type: r.type } : {}),
    });
  }
  // One package version for one set of resources: they are released together.
  if (versions.size !== 1) throw new Error(`profiles/ carries versions ${[...versions].join(', ')}; the package needs one`);
  const [version = ''] = versions;
  const manifest = {
    name: 'samplan.fhir',
    version,
    description: 'samplan: profiles, extensions, code systems and value sets for shared care plans (SIP, patientkontrakt, individuell plan)',
    canonical: 'https://samplan.org/fhir',
    url: 'https://samplan.org/fhir',
    fhirVersions: ['4.0.1'],
    type: 'IG',
    jurisdiction: 'urn:iso:std:iso:3166#SE',
    dependencies: { 'hl7.fhir.r4.core': '4.0.1' },
    license: 'CC0-1.0',
    author: 'samplan',
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, '.index.json'), `${JSON.stringify({ 'index-version': 1, files: index }, null, 2)}\n`);
  return { manifest, index };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { manifest, index } = buildPackage();
  process.stdout.write(`${String(manifest.name)}#${String(manifest.version)}: ${index.length} resources in ${PACKAGE_DIR}/package (npm pack ${PACKAGE_DIR}/package)\n`);
}
