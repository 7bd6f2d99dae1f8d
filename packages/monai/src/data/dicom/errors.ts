import { ImageFormatError } from '../formats/common.js';

/**
 * Error raised for a DICOM file or series that cannot be read; it names the file and the problem. It is an
 * `ImageFormatError` (the class every image reader throws), so callers can catch all read errors alike.
 */
export class DicomError extends ImageFormatError {
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(file, problem);
    this.message = `DICOM ${file}: ${problem}`;
    this.name = 'DicomError';
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** Words for the file-system error codes a reader meets when opening a path. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'file or folder does not exist (ENOENT)';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder (ENOTDIR)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EISDIR') return 'is a folder, expected a file (EISDIR)';
  return `cannot read file (${code ?? describeThrown(e)})`;
}

/** Turns anything thrown by a third-party parser or codec (strings included) into a message. */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'exception' in e) return describeThrown((e as { exception: unknown }).exception);
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** What dicom-parser's messages mean, in our words (its function names are not the user's business). */
const PARSER_PROBLEMS: [RegExp, string][] = [
  [/buffer overrun|read past end of buffer|cannot seek|position cannot be less than 0/i, 'an element runs past the end of the file (truncated or corrupt data set)'],
  [/DICM prefix not found/i, "no 'DICM' magic at byte 128: not a DICOM Part 10 file"],
  [/missing required meta header attribute 0002,0010/i, 'the file meta information has no Transfer Syntax UID (0002,0010)'],
  [/basic offset table not found/i, 'encapsulated Pixel Data does not start with a Basic Offset Table item (FFFE,E000)'],
  [/no inflater/i, 'deflated data set cannot be inflated'],
  [/invalid value for parameter 'maxP ?osition'/i, 'an element length points outside the data set (corrupt data set)'],
];

/**
 * A dicom-parser failure described for the user: a known message in our words, anything else with the
 * library's "dicomParser.function:" prefix removed.
 */
export function parserProblem(e: unknown): string {
  const raw = describeThrown(e);
  for (const [re, words] of PARSER_PROBLEMS) if (re.test(raw)) return words;
  const stripped = raw.replace(/^\s*(dicomParser|\w*ByteArrayParser|byteStream)[.:]\s*\w*\s*[:-]\s*/i, '').trim();
  return `corrupt data set (${stripped || 'unknown parser error'})`;
}
