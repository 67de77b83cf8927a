/**
 * JSON with object keys sorted, so equal content always gives equal text
 * whatever order a client or the database put the keys in. Keys whose value
 * is undefined are left out, as JSON.stringify leaves them. Shared by the
 * plan rules (agreed content) and the access rules (what a write changed).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
