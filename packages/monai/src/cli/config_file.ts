// Reads a recipe config from a JSON or YAML file (by extension; anything else is tried as YAML, which
// also reads JSON). Parse errors name the file and the line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError, validateSpleenConfig, type SpleenConfig } from '../apps/spleen/config.js';

/** The parsed, validated config; relative data/output paths resolve against the config file's folder. */
export function loadConfigFile(file: string, overrides: Partial<Record<keyof SpleenConfig, unknown>> = {}): SpleenConfig {
  if (!fs.existsSync(file)) throw new ConfigError(file, ['no such file']);
  if (fs.statSync(file).isDirectory()) throw new ConfigError(file, ['expected a .json or .yaml file, found a folder']);
  const text = fs.readFileSync(file, 'utf8');
  let raw: unknown;
  if (/\.json$/i.test(file)) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
    }
  } else {
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const line = text.slice(0, e.pos[0]).split('\n').length;
      const where = ` at line ${line}`;
      throw new ConfigError(file, [`not valid YAML${where}: ${e.message.split('\n')[0]}`]);
    }
    raw = doc.toJS();
  }
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    raw = { ...raw, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
    const base = path.dirname(path.resolve(file));
    const r = raw as Record<string, unknown>;
    for (const k of ['data', 'output'] as const) if (typeof r[k] === 'string' && !(k in overrides && overrides[k] !== undefined)) r[k] = path.resolve(base, r[k] as string);
  }
  return validateSpleenConfig(raw, file);
}
