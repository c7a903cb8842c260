/**
 * A streaming CSV reader (RFC 4180: comma-separated, double-quoted fields with "" as an
 * escaped quote, quoted fields may span lines, CRLF or LF line ends, an optional UTF-8 BOM).
 * Lines are read one at a time with readline, so a multi-gigabyte file is never held as one
 * string.  Each record comes with the line number it starts on (1-based), for error messages.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename } from 'node:path';

/** An input problem: `file:line: message`.  The CLI prints these and exits with status 2. */
export class InputError extends Error {
  constructor(message, { file = null, line = null, problems = null } = {}) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
    this.name = 'InputError';
    this.file = file;
    this.line = line;
    this.problems = problems; /* several messages, when reading went on to collect more */
    this.detail = message; /* the message without the file and line */
  }
}

/**
 * Splits one CSV line into fields, continuing a record that an earlier line left inside a
 * quoted field.  Returns { fields, open } where `open` says the record continues on the
 * next line (an unterminated quote).
 * @param {string} text
 * @param {{ fields: string[], cur: string, quoted: boolean } | null} state
 */
export function splitLine(text, state = null) {
  if (!state && !text.includes('"')) {
    const fields = text.split(',');
    for (let i = 0; i < fields.length; i++) fields[i] = fields[i].trim();
    return { fields, open: false };
  }
  const fields = state ? state.fields : [];
  let cur = state ? state.cur + '\n' : '';
  let quoted = state ? state.quoted : false;
  let wasQuoted = state ? true : false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cur += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cur += ch;
      i++;
      continue;
    }
    if (ch === ',') {
      fields.push(wasQuoted ? cur : cur.trim());
      cur = '';
      wasQuoted = false;
      i++;
      continue;
    }
    if (ch === '"' && cur.trim() === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      cur = '';
      i++;
      continue;
    }
    if (ch === '"') return { error: `stray quote in field ${fields.length + 1} (quote the whole field and double inner quotes)` };
    cur += ch;
    i++;
  }
  if (quoted) return { fields, cur, quoted: true, open: true };
  fields.push(wasQuoted ? cur : cur.trim());
  return { fields, open: false };
}

/**
 * Reads a CSV file record by record: `for await (const { line, fields } of readCSV(path))`.
 * Blank lines are skipped.  The first record is the header.  Malformed quoting is an
 * InputError naming the file and line.
 * @param {string} path
 * @param {{ name?: string }} [opts] the file name used in messages (default: the base name)
 */
export async function* readCSV(path, opts = {}) {
  const name = opts.name ?? basename(path);
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    await new Promise((resolve, reject) => {
      stream.once('open', resolve);
      stream.once('error', reject);
    });
  } catch (err) {
    throw new InputError(`cannot read the file (${err.code ?? err.message})`, { file: name });
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let pending = null;
  let startLine = 0;
  try {
    for await (let text of rl) {
      lineNo++;
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (!pending && text.trim() === '') continue;
      if (!pending) startLine = lineNo;
      const r = splitLine(text, pending);
      if (r.error) throw new InputError(r.error, { file: name, line: lineNo });
      if (r.open) {
        pending = r;
        continue;
      }
      pending = null;
      yield { line: startLine, fields: r.fields };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
  if (pending) throw new InputError('a quoted field is never closed', { file: name, line: startLine });
}
