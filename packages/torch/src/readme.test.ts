import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeReadmeSnippets } from '@linearconv/test-support';

describeReadmeSnippets(join(dirname(fileURLToPath(import.meta.url)), '..'), 1);
