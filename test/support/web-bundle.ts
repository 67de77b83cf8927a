/** Where the test run's web bundle is: the same place `npm start` uses, so a current bundle is not built twice. */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/store/embedded/binary.ts';

export const WEB_BUNDLE = join(PROJECT_ROOT, 'build', 'web');
