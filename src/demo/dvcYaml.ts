import { stringify } from 'yaml';

/**
 * YAML as DVC writes it: block style, sequences not indented under their key, `'2.0'` quoted,
 * and no anchors (a lock entry shared by two stages is written out twice, as DVC does).
 */
export function dvcYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, singleQuote: true, lineWidth: 0, aliasDuplicateObjects: false });
}
