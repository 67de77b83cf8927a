/**
 * Runs the official HL7 FHIR validator once over a list of files and returns
 * its issues, one row per issue with the file it concerns. One JVM per call:
 * loading the packages is most of a run's time, so callers pass every file at once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE, HOME, classpath, ensureValidator } from './setup.ts';

export interface ValidatorIssue {
  file: string;
  severity: 'fatal' | 'error' | 'warning' | 'information';
  /** The issue's text (details.text, else diagnostics). */
  message: string;
  /** FHIRPath of the element, when the validator names one. */
  location: string;
  /** The validator's message id (e.g. Terminology_TX_NoValid_12), when given. */
  messageId: string;
}

const FILE_EXT = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-file';
const MESSAGE_ID_EXT = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';

type Ext = { url: string; valueString?: string; valueCode?: string };
type Outcome = fhir4.OperationOutcome & { extension?: Ext[] };

function issuesOf(outcome: Outcome): ValidatorIssue[] {
  const file = outcome.extension?.find((e) => e.url === FILE_EXT)?.valueString ?? '';
  return outcome.issue.map((i) => ({
    file,
    severity: i.severity,
    message: i.details?.text ?? i.diagnostics ?? '',
    location: i.expression?.[0] ?? i.location?.[0] ?? '',
    messageId: (i.extension as Ext[] | undefined)?.find((e) => e.url === MESSAGE_ID_EXT)?.valueString ?? '',
  }));
}

/** Validates `sources` (absolute paths) for FHIR 4.0.1 with no terminology server, loading `igs` (folders or packages). */
export async function runValidator(sources: string[], igs: string[]): Promise<ValidatorIssue[]> {
  ensureValidator();
  const out = mkdtempSync(join(tmpdir(), 'samplan-hl7-'));
  const output = join(out, 'outcome.json');
  try {
    const args = [
      '-Xmx2g',
      `-Duser.home=${HOME}`,
      '-cp',
      classpath(),
      'org.hl7.fhir.validation.ValidatorCli',
      '-version',
      '4.0.1',
      '-tx',
      'n/a',
      ...igs.flatMap((ig) => ['-ig', ig]),
      ...sources,
      '-output',
      output,
    ];
    // Exit code 1 means "errors found"; the outcome file says which, so only a missing file is a failure to run.
    await promisify(execFile)('java', args, { cwd: CACHE, maxBuffer: 64 * 1024 * 1024 }).catch((err: unknown) => {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      if (e.code !== 1) throw new Error(`the HL7 validator failed to run: ${String(e.stderr ?? '').slice(-2000)} ${String(e.stdout ?? '').slice(-2000)}`);
    });
    const result = JSON.parse(readFileSync(output, 'utf8')) as Outcome | (fhir4.Bundle & { resourceType: 'Bundle' });
    if (result.resourceType === 'Bundle') return (result.entry ?? []).flatMap((e) => issuesOf(e.resource as Outcome));
    return issuesOf(result);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
