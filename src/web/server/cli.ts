/** `npm run build:web`: bundle the web apps into build/web now (npm start does it too when the sources changed). */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../store/embedded/binary.ts';
import { ensureWebBuilt } from './build.ts';

const started = Date.now();
const { outDir } = await ensureWebBuilt(join(PROJECT_ROOT, 'build/web'), { force: true });
console.log(`web apps bundled into ${outDir} in ${Date.now() - started} ms`);
