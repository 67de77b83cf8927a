/**
 * profiles/ as a FHIR package (npm run build:package): the FHIR manifest
 * fields, an .index.json listing every file, and every conformance resource
 * carrying what a receiver acts on (a narrative in Swedish and Norwegian, a
 * version, an active status).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPackage } from '../../tools/build-package.ts';

const PROFILES = new URL('../../profiles/', import.meta.url);
const files = readdirSync(PROFILES).filter((f) => f.endsWith('.json')).sort();
type Resource = { resourceType: string; id: string; url: string; version?: string; status?: string; text?: { status: string; div: string } };
const read = (f: string): Resource => JSON.parse(readFileSync(new URL(f, PROFILES), 'utf8')) as Resource;

describe('the FHIR package', () => {
  const out = mkdtempSync(join(tmpdir(), 'samplan-package-'));
  const { manifest } = buildPackage(out);
  const dir = join(out, 'package');

  it('has the FHIR package manifest fields', () => {
    const written = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(written).toEqual(manifest);
    expect(written).toMatchObject({ name: 'samplan.fhir', canonical: 'https://samplan.org/fhir', fhirVersions: ['4.0.1'], dependencies: { 'hl7.fhir.r4.core': '4.0.1' } });
    expect(written.version).toBe(read(files[0] ?? '').version);
  });

  it('indexes every file of profiles/, with what the index says matching the file', () => {
    const index = JSON.parse(readFileSync(join(dir, '.index.json'), 'utf8')) as { 'index-version': number; files: Record<string, string>[] };
    expect(index['index-version']).toBe(1);
    expect(index.files.map((f) => f.filename)).toEqual(files);
    expect(readdirSync(dir).filter((f) => f !== 'package.json' && f !== '.index.json').sort()).toEqual(files);
    for (const entry of index.files) {
      const r = read(entry.filename ?? '');
      expect(entry).toMatchObject({ resourceType: r.resourceType, id: r.id, url: r.url, version: r.version });
    }
  });
});

describe.each(files)('%s', (file) => {
  const r = read(file);
  it('has a version, an active status and a narrative in Swedish and Norwegian', () => {
    expect(r.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.status).toBe('active');
    expect(r.text?.status).toBe('generated');
    expect(r.text?.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">.*<\/div>$/);
    expect(r.text?.div).toMatch(/<p lang="sv"[^>]*>[^<]{10,}<\/p>/);
    expect(r.text?.div).toMatch(/<p lang="nb"[^>]*>[^<]{10,}<\/p>/);
  });
});
