/** Error raised for a DICOM file or series that cannot be read; it names the file and the problem. */
export class DicomError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`DICOM ${file}: ${problem}`, options);
    this.name = 'DicomError';
    this.file = file;
  }
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
