/**
 * Splits one CSV line (no line breaks inside) into fields. Unquoted fields are taken as they are;
 * a field that starts with `"` must be a complete RFC 4180 quoted field (`""` escapes a quote).
 * Returns the index (0-based) of the first malformed field instead of guessing.
 */
export function splitCsvLine(line: string): { fields: string[] } | { badField: number } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return { badField: fields.length };
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      if (j < line.length && line.charCodeAt(j) !== 0x2c) return { badField: fields.length };
      fields.push(value);
      if (j >= line.length) return { fields };
      i = j + 1;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return { badField: fields.length };
      fields.push(value);
      if (comma < 0) return { fields };
      i = comma + 1;
    }
  }
}

/** CWE-1236: cells starting with = + - @ TAB CR are prefixed with `'` so spreadsheets show text. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
