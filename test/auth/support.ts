/** Shared helpers for the auth tests (not a test file itself). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { FhirError } from '../../src/errors.ts';

/**
 * Await a rejection and check it is a 401 FhirError with an RFC 6750 challenge.
 * `error` undefined means the bare challenge (no credentials sent).
 * The token, when given, must not appear anywhere in what the caller gets back.
 */
export async function expectUnauthenticated(
  promise: Promise<unknown>,
  opts: { error?: 'invalid_token'; description?: RegExp; token?: string } = {},
): Promise<FhirError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FhirError);
  const fe = err as FhirError;
  expect(fe.kind).toBe('unauthenticated');
  expect(fe.status).toBe(401);
  expect(fe.outcome.resourceType).toBe('OperationOutcome');
  expect(fe.outcome.issue[0]?.code).toBe('login');
  const challenge = fe.headers['WWW-Authenticate'];
  expect(challenge).toBeDefined();
  if (opts.error) {
    expect(challenge).toMatch(/^Bearer realm="samplan", error="invalid_token", error_description="[^"\\]+"$/);
  } else {
    expect(challenge).toBe('Bearer realm="samplan"');
  }
  if (opts.description) {
    expect(challenge).toMatch(opts.description);
    expect(fe.outcome.issue[0]?.diagnostics).toMatch(opts.description);
  }
  if (opts.token) {
    const everything = JSON.stringify({ message: fe.message, outcome: fe.outcome, headers: fe.headers });
    for (const part of opts.token.split('.').filter((p) => p.length > 8)) expect(everything).not.toContain(part);
  }
  return fe;
}

export interface JsonServer {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 answering every GET with `status` and the JSON `body()`. */
export async function serveJson(body: () => unknown, status = 200): Promise<JsonServer> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
