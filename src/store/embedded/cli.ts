/** `npm run setup:ferretdb`: build the embedded database binary ahead of time. */
import { ensureFerretdbBinary } from './binary.ts';

const path = await ensureFerretdbBinary((m) => console.error(m));
console.log(path);
