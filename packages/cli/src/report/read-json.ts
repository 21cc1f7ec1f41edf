import { readFile } from 'node:fs/promises';
import { UsageError } from '../io.js';

/** A JSON file's value, or null when the file does not exist; malformed JSON is a UsageError naming the file. */
export async function readJsonIfExists(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
}
