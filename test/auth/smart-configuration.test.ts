/** `/.well-known/smart-configuration` (SMART App Launch 2.x conformance). */
import { describe, expect, it } from 'vitest';
import { SAMPLAN_CAPABILITIES, smartConfiguration } from '../../src/auth/smart-configuration.ts';
import { authSettingsFromEnv } from '../../src/auth/settings.ts';

describe('smartConfiguration', () => {
  it('without an external IdP claims only what samplan enforces', () => {
    const doc = smartConfiguration();
    expect(doc.capabilities).toEqual(['permission-v1', 'permission-v2', 'permission-patient', 'permission-user']);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['patient/CarePlan.rs', 'user/*.cruds', 'system/*.cruds', '__samplan.agree']));
    for (const key of ['issuer', 'token_endpoint', 'authorization_endpoint', 'grant_types_supported', 'code_challenge_methods_supported', 'jwks_uri']) {
      expect(doc).not.toHaveProperty(key);
    }
    // No launch or client-authentication capability without an authorization server.
    expect(doc.capabilities.some((c) => c.startsWith('launch-') || c.startsWith('client-') || c.startsWith('sso-'))).toBe(false);
  });

  it('IdP capabilities are not published without a token endpoint', () => {
    const doc = smartConfiguration({ idpCapabilities: ['launch-standalone', 'client-confidential-asymmetric'], jwksUri: 'https://idp.example/jwks' });
    expect(doc.capabilities).toEqual([...SAMPLAN_CAPABILITIES]);
    expect(doc.jwks_uri).toBe('https://idp.example/jwks');
  });

  it('with an external IdP for App Launch', () => {
    const doc = smartConfiguration({
      issuer: 'https://idp.example',
      jwksUri: 'https://idp.example/jwks',
      authorizationEndpoint: 'https://idp.example/authorize',
      tokenEndpoint: 'https://idp.example/token',
      introspectionEndpoint: 'https://idp.example/introspect',
      tokenEndpointAuthMethodsSupported: ['private_key_jwt'],
      codeChallengeMethodsSupported: ['plain', 'S256'],
      idpCapabilities: ['launch-standalone', 'client-public', 'client-confidential-asymmetric', 'sso-openid-connect', 'context-standalone-patient', 'permission-v2'],
      extraScopes: ['launch/patient'],
    });
    expect(doc).toMatchObject({
      issuer: 'https://idp.example',
      jwks_uri: 'https://idp.example/jwks',
      authorization_endpoint: 'https://idp.example/authorize',
      token_endpoint: 'https://idp.example/token',
      introspection_endpoint: 'https://idp.example/introspect',
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      grant_types_supported: ['authorization_code'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc.capabilities).toEqual([
      'permission-v1',
      'permission-v2',
      'permission-patient',
      'permission-user',
      'launch-standalone',
      'client-public',
      'client-confidential-asymmetric',
      'sso-openid-connect',
      'context-standalone-patient',
    ]);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch/patient']));
  });

  it('issuer only with sso-openid-connect; a token-only IdP means client_credentials', () => {
    const doc = smartConfiguration({ issuer: 'https://idp.example', tokenEndpoint: 'https://idp.example/token', idpCapabilities: ['client-confidential-asymmetric'] });
    expect(doc).not.toHaveProperty('issuer');
    expect(doc.grant_types_supported).toEqual(['client_credentials']);
    expect(doc).not.toHaveProperty('code_challenge_methods_supported');
    expect(doc.capabilities).toContain('client-confidential-asymmetric');
  });

  it('is built from the environment', () => {
    const { smart } = authSettingsFromEnv({
      SAMPLAN_JWKS_URL: 'https://idp.example/jwks',
      SAMPLAN_JWT_ISSUER: 'https://idp.example',
      SAMPLAN_OAUTH_TOKEN_ENDPOINT: 'https://idp.example/token',
      SAMPLAN_OAUTH_AUTHORIZATION_ENDPOINT: 'https://idp.example/authorize',
      SAMPLAN_SMART_CAPABILITIES: 'launch-standalone, client-confidential-asymmetric sso-openid-connect',
    });
    const doc = smartConfiguration(smart);
    expect(doc.issuer).toBe('https://idp.example');
    expect(doc.jwks_uri).toBe('https://idp.example/jwks');
    expect(doc.capabilities).toEqual(expect.arrayContaining(['launch-standalone', 'client-confidential-asymmetric', 'sso-openid-connect']));
  });
});
