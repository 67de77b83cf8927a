/**
 * Run the sync test peer (test/support/fhir-peer.ts) as a standalone process,
 * e.g. for benchmarks or poking at it by hand:
 *   npx tsx test/support/fhir-peer-cli.ts [--port 8090] [--raw]
 * Prints the base URL on stdout; data lives in memory until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startFhirPeer } from './fhir-peer.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, raw: { type: 'boolean', default: false } },
});
const peer = await startFhirPeer({ port: Number(values.port), raw: values.raw });
process.stdout.write(`${peer.baseUrl}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void peer.stop().then(() => process.exit(0));
  });
}
