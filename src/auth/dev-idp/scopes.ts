/**
 * The scopes the development provider grants. oidc-provider grants only
 * scopes it knows: OpenID ones from `scopes`/`claims`, and the resource
 * server's (samplan's FHIR API) from its `scope` list, so every SMART scope an
 * app may ask for is listed here. Granting a scope says what the app may ask
 * for; samplan still decides on the data what the person behind it may see.
 */
import { ADMIN_SCOPE, AGREE_SCOPE, NOTIFY_SCOPE } from '../scopes.ts';

/** OpenID and SMART launch scopes (they go to the id_token and the grant, not to samplan's access checks). */
export const OIDC_SCOPES: readonly string[] = ['openid', 'fhirUser', 'offline_access', 'launch/patient'];

const TYPES = ['CarePlan', 'CareTeam', 'Goal', 'Patient', 'RelatedPerson', 'Practitioner', 'PractitionerRole', 'Organization', 'Provenance', 'AuditEvent', 'Measure', 'MeasureReport', '*'];
const LETTERS = ['rs', 'r', 's', 'cruds', 'cu', 'rus', 'read', 'write', '*'];

/** Clinical scopes for `patient/` and `user/`; `system/` is for backend services, which do not sign in. */
const CLINICAL: string[] = ['patient', 'user'].flatMap((context) => TYPES.flatMap((type) => LETTERS.map((l) => `${context}/${type}.${l}`)));

/** samplan's own scopes: agreement; never the admin or sync ones (those are for services, not people). */
export const RESOURCE_SCOPES: readonly string[] = [...CLINICAL, AGREE_SCOPE].filter((s) => s !== ADMIN_SCOPE && s !== NOTIFY_SCOPE);
