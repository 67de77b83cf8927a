/**
 * FHIR reference strings as auth sees them: `fhirUser`, `organization`,
 * `CareTeam.participant.member`, `CarePlan.subject`.
 *
 * SMART allows `fhirUser` to be absolute (`https://ehr.example.org/fhir/Practitioner/123`)
 * or relative (`Practitioner/123`):
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-identity-data
 * FHIR R4 references may likewise be relative, absolute, or carry `/_history/n`:
 * https://hl7.org/fhir/R4/references.html#literal
 * Auth compares identities on their `Type/id` only, so every form is reduced to that.
 */

/** R4 id: https://hl7.org/fhir/R4/datatypes.html#id */
const ID = '[A-Za-z0-9\\-.]{1,64}';

const REFERENCE = new RegExp(
  // optional absolute base (anything up to the type segment), then Type/id, then optional /_history/vid
  `^(?:https?://[^\\s?#]+/)?([A-Z][A-Za-z]{1,63})/(${ID})(?:/_history/${ID})?$`,
);

export interface ParsedReference {
  type: string;
  id: string;
}

/** `Type/id` parts of a literal reference, or undefined when the string is not one. */
export function parseReference(ref: string | undefined | null): ParsedReference | undefined {
  if (typeof ref !== 'string' || ref.length > 2048) return undefined;
  const m = REFERENCE.exec(ref);
  if (!m) return undefined;
  return { type: m[1]!, id: m[2]! };
}

/** `Type/id` of a literal reference (absolute, relative or versioned), or undefined. */
export function normaliseReference(ref: string | undefined | null): string | undefined {
  const p = parseReference(ref);
  return p ? `${p.type}/${p.id}` : undefined;
}

/** True when both references name the same `Type/id`. Unparseable references never match. */
export function sameReference(a: string | undefined | null, b: string | undefined | null): boolean {
  const na = normaliseReference(a);
  return na !== undefined && na === normaliseReference(b);
}
