/**
 * The official HL7 FHIR validator (ValidatorCli 6.5.18, offline, no
 * terminology server; set up by tools/hl7-validator/setup.ts) judges
 * profiles/ and every resource of fhir-examples/ against the profiles it
 * claims in meta.profile: no errors, and only warnings of the kinds listed
 * in ACCEPTED, each because it cannot be checked without a terminology server;
 * the one error it raises for the same reason is in ACCEPTED_ERRORS.
 * One JVM run per target; each takes 15–80 s (loading the packages), hence
 * the long timeout, which is a limit, not an assertion.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runValidator, type ValidatorIssue } from '../../tools/hl7-validator/run.ts';

const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../fhir-examples/', import.meta.url));
const jsonIn = (dir: string, suffix: string): string[] => readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => `${dir}${f}`);

/** Warnings we accept, each with why: every one is a code the validator cannot check without a terminology server (-tx n/a). */
const EXTERNAL = '(urn:iso:std:iso:3166|urn:ietf:bcp:47|http://snomed\\.info/sct|http://unitsofmeasure\\.org)';
const ACCEPTED: { pattern: RegExp; reason: string }[] = [
  {
    pattern: new RegExp(`^A definition for CodeSystem '${EXTERNAL}' could not be found, so the code cannot be validated`),
    reason: 'ISO 3166 countries (jurisdiction), BCP 47 languages, SNOMED CT (licensed) and UCUM (a grammar) are in no package; only a terminology server checks their codes',
  },
  {
    pattern: new RegExp(`^Unable to check whether the code is in the value set '[^']+' because the code system ${EXTERNAL} was not found`),
    reason: 'the same codes, checked against a value set that draws on those code systems',
  },
  { pattern: /because the validator is running without terminology services/, reason: 'any other code the validator itself says only a terminology server can check' },
  {
    pattern: /^The expression language text\/fhirpath is not supported, so can't be validated$/,
    reason: "the Measures' criteria: the validator does not parse them; test/measures/definitions.test.ts compiles every one",
  },
];

/**
 * The translation extension binds its `lang` to all-languages *required*, so
 * offline the validator reports an error, not a warning, for the BCP 47 code
 * of each translated text (the Measures' sv and nb descriptions). Accepted
 * only for the three languages samplan writes, and only when the validator
 * says the lack of a server is why.
 */
const ACCEPTED_ERRORS: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^(The value provided \('(sv|nb|en)'\) was not found in the value set 'All Languages'.*|The System URI could not be determined for the code '(sv|nb|en)' in the ValueSet 'http:\/\/hl7\.org\/fhir\/ValueSet\/all-languages\|4\.0\.1'.*)include #0 has system urn:ietf:bcp:47 which could not be found, and the server returned error \[No server available\]/,
    reason: 'BCP 47 language codes of translations: only a terminology server checks them',
  },
];

function summary(issues: ValidatorIssue[]): string {
  return issues.map((i) => `${i.severity} ${i.file.split('/').pop()} ${i.location}: ${i.message}`).join('\n');
}

function check(issues: ValidatorIssue[]): void {
  const errors = issues.filter((i) => (i.severity === 'error' || i.severity === 'fatal') && !ACCEPTED_ERRORS.some((a) => a.pattern.test(i.message)));
  expect(errors, summary(errors)).toEqual([]);
  const unexplained = issues.filter((i) => i.severity === 'warning' && !ACCEPTED.some((a) => a.pattern.test(i.message)));
  expect(unexplained, summary(unexplained)).toEqual([]);
}

const counts = (issues: ValidatorIssue[]): Record<string, number> =>
  issues.reduce<Record<string, number>>((c, i) => ({ ...c, [i.severity]: (c[i.severity] ?? 0) + 1 }), {});

describe('the official HL7 validator', { timeout: 600_000 }, () => {
  let onProfiles: ValidatorIssue[] = [];
  let onExamples: ValidatorIssue[] = [];
  beforeAll(async () => {
    // One after the other: each JVM wants ~2 GB and both cores while it loads.
    onProfiles = await runValidator(jsonIn(PROFILES, '.json'), [PROFILES]);
    // The bundles as they are: the validator resolves their urn:uuid references and checks each entry against its meta.profile.
    onExamples = await runValidator(jsonIn(EXAMPLES, '.bundle.json'), [PROFILES]);
    // Kept for reading when a run fails (the assertion messages show only what failed).
    mkdirSync('.tmp', { recursive: true });
    writeFileSync('.tmp/hl7-validator.json', JSON.stringify({ profiles: onProfiles, examples: onExamples }, null, 2));
    process.stderr.write(`HL7 validator: profiles/ ${JSON.stringify(counts(onProfiles))}, fhir-examples/ ${JSON.stringify(counts(onExamples))}\n`);
  }, 600_000);

  it('finds profiles/ clean (every file in the folder)', () => {
    expect(new Set(onProfiles.map((i) => i.file.split('/').pop())).size).toBeGreaterThan(0);
    check(onProfiles);
  });

  it('finds every example resource valid against the profile it claims', () => {
    check(onExamples);
  });
});
