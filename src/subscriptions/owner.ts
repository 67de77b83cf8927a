/**
 * Whose a Subscription is: the principal who wrote it, recorded on it as an
 * extension from the caller's verified token (never from the body), so that
 * every notification can be judged as that principal would be judged reading
 * the resource at that moment (issue 14 "delivery is as the owner").
 *
 * The `owner` search parameter indexes it: the access policy narrows
 * Subscriptions to the caller's own by it (src/auth/policy.ts).
 */
import { ownerKey, parseScopes, type Principal, type PrincipalKind } from '../auth/index.ts';
import type { SearchParam } from '../store/index.ts';
import { EXTENSION, SEARCH_PARAMETER } from '../validation/index.ts';

export const OWNER_EXTENSION = EXTENSION.subscriptionOwner;

const KINDS: readonly PrincipalKind[] = ['patient', 'relatedPerson', 'practitioner', 'system'];

/** The owner extension for a principal: who they are and what their token allowed. */
export function ownerExtension(p: Principal): fhir4.Extension {
  const part = (url: string, valueString: string | undefined): fhir4.Extension[] => (valueString ? [{ url, valueString }] : []);
  return {
    url: OWNER_EXTENSION,
    extension: [
      { url: 'sub', valueString: p.sub },
      { url: 'kind', valueCode: p.kind },
      ...part('issuer', p.issuer),
      ...part('fhirUser', p.fhirUser),
      ...part('organization', p.organization),
      ...part('scope', p.scope.trim() || undefined),
    ],
  };
}

/** The Subscription with its owner set to `p`, whatever the body said. */
export function withOwner(sub: fhir4.Subscription, p: Principal): fhir4.Subscription {
  return { ...withoutOwner(sub), extension: [...(withoutOwner(sub).extension ?? []), ownerExtension(p)] };
}

/** The Subscription without any owner extension (FHIR JSON leaves out an empty list). */
export function withoutOwner(sub: fhir4.Subscription): fhir4.Subscription {
  const { extension, ...rest } = sub;
  const others = (extension ?? []).filter((e) => e.url !== OWNER_EXTENSION);
  return others.length > 0 ? { ...rest, extension: others } : rest;
}

/** The recorded owner as a Principal, or undefined when the extension is missing or malformed. */
export function ownerOf(sub: fhir4.Subscription): Principal | undefined {
  const ext = sub.extension?.find((e) => e.url === OWNER_EXTENSION);
  const value = (url: string): string | undefined => {
    const e = ext?.extension?.find((x) => x.url === url);
    return e?.valueString ?? e?.valueCode;
  };
  const sub_ = value('sub');
  const kind = KINDS.find((k) => k === value('kind'));
  if (!sub_ || !kind) return undefined;
  const scope = value('scope') ?? '';
  const issuer = value('issuer');
  const fhirUser = value('fhirUser');
  const organization = value('organization');
  return { kind, sub: sub_, scope, scopes: parseScopes(scope), ...(issuer ? { issuer } : {}), ...(fhirUser ? { fhirUser } : {}), ...(organization ? { organization } : {}) };
}

/** The `owner` search values of a Subscription: its owner's key, the one access narrows by. */
function ownerValues(r: fhir4.FhirResource): string[] {
  const p = r.resourceType === 'Subscription' ? ownerOf(r) : undefined;
  return p ? [ownerKey(p)] : [];
}

const ownerDocs = "The subscription's owner (issuer|sub); every caller sees only their own subscriptions";
export const ownerParam: SearchParam = { name: 'owner', type: 'token', definition: SEARCH_PARAMETER.subscriptionOwner, documentation: ownerDocs, values: ownerValues };
