/** Where PostgreSQL's server programs are: Debian keeps them off PATH, one folder per major version. */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function hasServer(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

/** The newest /usr/lib/postgresql/<version>/bin with initdb and postgres, else the first such PATH entry. */
export function findPostgresBin(): string {
  const debian = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(DEBIAN_ROOT, v, 'bin'))
    : [];
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = [...debian, ...onPath].find(hasServer);
  if (!found) {
    throw new Error(`The embedded database needs PostgreSQL's server programs (initdb, postgres), found neither in ${DEBIAN_ROOT}/*/bin nor on PATH: install Debian's postgresql (apt-get install postgresql), or set MONGODB_URI to use an existing MongoDB.`);
  }
  return found;
}
