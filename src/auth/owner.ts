/**
 * Records that belong to the principal who made them, not to a patient's
 * care (issue 14: a Subscription is its owner's alone). A principal is named
 * by its token's issuer and `sub`: the same client or person on every token.
 */
import type { Principal } from './principal.ts';

export function ownerKey(p: Pick<Principal, 'issuer' | 'sub'>): string {
  return `${p.issuer ?? ''}|${p.sub}`;
}
