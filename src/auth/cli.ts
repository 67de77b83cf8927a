/**
 * `npm run token -- …`: mint a development token from the local HS256 secret
 * (SAMPLAN_JWT_SECRET, or `<SAMPLAN_DATA_DIR or ./data>/jwt-secret`, generated if
 * missing). Prints only the token on stdout, so `TOKEN=$(npm run -s token -- …)` works.
 *
 *   --patient Patient/p1
 *   --related-person RelatedPerson/k1   (next of kin)
 *   --practitioner Practitioner/x [--organization Organization/y]
 *   --system
 *   --scope "…"   (override the default scopes)
 *   --ttl 3600    (seconds)
 *   --sub …       (default: the fhirUser)
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { PrincipalKind } from './principal.ts';
import { authSettingsFromEnv } from './settings.ts';
import { DEFAULT_SCOPES, mintDevToken, type DevTokenOptions } from './tokens.ts';

const USAGE = `usage: npm run token -- (--patient Patient/<id> | --related-person RelatedPerson/<id> | --practitioner Practitioner/<id> [--organization Organization/<id>] | --system)
                        [--scope "<scopes>"] [--ttl <seconds>] [--sub <subject>]
defaults: patient "${DEFAULT_SCOPES.patient}", related person "${DEFAULT_SCOPES.relatedPerson}", practitioner "${DEFAULT_SCOPES.practitioner}", system "${DEFAULT_SCOPES.system}", ttl 3600`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Run the CLI; returns the exit code. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        patient: { type: 'string' },
        'related-person': { type: 'string' },
        practitioner: { type: 'string' },
        organization: { type: 'string' },
        system: { type: 'boolean' },
        scope: { type: 'string' },
        ttl: { type: 'string' },
        sub: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stderr(`${USAGE}\n`);
    return 0;
  }

  const kinds: PrincipalKind[] = [];
  if (values.patient !== undefined) kinds.push('patient');
  if (values['related-person'] !== undefined) kinds.push('relatedPerson');
  if (values.practitioner !== undefined) kinds.push('practitioner');
  if (values.system) kinds.push('system');
  if (kinds.length !== 1) {
    io.stderr(`give exactly one of --patient, --related-person, --practitioner, --system\n${USAGE}\n`);
    return 2;
  }
  const kind = kinds[0]!;

  try {
    const settings = authSettingsFromEnv(env);
    const hs = settings.authenticator.hs256;
    if (!hs) {
      io.stderr('SAMPLAN_JWKS_URL is set and SAMPLAN_JWT_SECRET is not: samplan accepts only tokens from the identity provider, so no local token can be minted\n');
      return 1;
    }
    if (settings.devSecret?.created) io.stderr(`generated a development secret in ${settings.devSecret.file}\n`);

    const options: DevTokenOptions = { kind, issuer: hs.issuer };
    const fhirUser = values.patient ?? values['related-person'] ?? values.practitioner;
    if (fhirUser !== undefined) options.fhirUser = fhirUser;
    if (values.organization !== undefined) options.organization = values.organization;
    if (values.scope !== undefined) options.scope = values.scope;
    if (values.sub !== undefined) options.sub = values.sub;
    if (hs.audience !== undefined) options.audience = hs.audience;
    if (values.ttl !== undefined) {
      if (!/^\d+$/.test(values.ttl)) throw new Error('--ttl must be a positive whole number of seconds');
      options.ttlSeconds = Number(values.ttl);
    }
    const token = await mintDevToken(hs.secret, options);
    io.stdout(`${token}\n`);
    return 0;
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 1;
  }
}

// Run when executed directly (`tsx src/auth/cli.ts`), not when imported by tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
