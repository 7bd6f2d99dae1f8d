// Parsing one DICOM file into a data set with typed accessors (dicom-parser underneath).
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import type * as DP from 'dicom-parser';
import { DicomError, describeThrown, parserProblem } from './errors.js';

const require = createRequire(import.meta.url);
const dicomParser: typeof DP = require('dicom-parser');

export type DataSet = DP.DataSet;
export type Element = DP.Element;

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  jpegLSLossless: '1.2.840.10008.1.2.4.80',
  jpegLSNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRPCL: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
} as const;

export const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  [TS.implicitLE]: 'Implicit VR Little Endian',
  [TS.explicitLE]: 'Explicit VR Little Endian',
  [TS.deflatedLE]: 'Deflated Explicit VR Little Endian',
  [TS.explicitBE]: 'Explicit VR Big Endian',
  [TS.jpegBaseline]: 'JPEG Baseline (Process 1)',
  [TS.jpegExtended]: 'JPEG Extended (Process 2 & 4)',
  [TS.jpegLossless]: 'JPEG Lossless (Process 14)',
  [TS.jpegLosslessSV1]: 'JPEG Lossless SV1 (Process 14, Selection Value 1)',
  [TS.jpegLSLossless]: 'JPEG-LS Lossless',
  [TS.jpegLSNear]: 'JPEG-LS Near-Lossless',
  [TS.j2kLossless]: 'JPEG 2000 Lossless',
  [TS.j2k]: 'JPEG 2000',
  [TS.htj2kLossless]: 'HTJ2K Lossless',
  [TS.htj2kLosslessRPCL]: 'HTJ2K Lossless RPCL',
  [TS.htj2k]: 'HTJ2K',
  [TS.rle]: 'RLE Lossless',
};

export interface ParseOptions {
  /** Upper bound on the inflated size of a deflated data set, in bytes (a guard against zip bombs). */
  maxInflatedBytes?: number;
  /** Stop parsing before the pixel data (header only). */
  headerOnly?: boolean;
}

const DEFAULT_MAX_INFLATED = 2 ** 31 - 1;

/** A parsed DICOM file: the data set, where it came from and how its pixel data is encoded. */
export class DicomFile {
  constructor(
    readonly filename: string,
    readonly ds: DataSet,
    readonly transferSyntax: string,
    readonly hasPreamble: boolean,
  ) {}

  get littleEndian(): boolean {
    return this.transferSyntax !== TS.explicitBE;
  }

  has(tag: string): boolean {
    const el = this.ds.elements[tag];
    return el !== undefined && el.length > 0;
  }

  str(tag: string, ds: DataSet = this.ds): string | undefined {
    const el = ds.elements[tag];
    if (!el || el.length <= 0) return undefined;
    return ds.string(tag);
  }

  /** All backslash-separated values of a string element. */
  strings(tag: string, ds: DataSet = this.ds): string[] | undefined {
    const el = ds.elements[tag];
    if (!el || el.length <= 0) return undefined;
    const n = ds.numStringValues(tag) ?? 0;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(ds.string(tag, i) ?? '');
    return out;
  }

  /** Decimal/integer string (DS or IS) values, NaN-free: undefined if any value does not parse. */
  numbers(tag: string, ds: DataSet = this.ds): number[] | undefined {
    const s = this.strings(tag, ds);
    if (!s) return undefined;
    const out = s.map((v) => Number(v.trim()));
    if (out.length === 0 || out.some((v) => !Number.isFinite(v))) return undefined;
    return out;
  }

  number(tag: string, ds: DataSet = this.ds): number | undefined {
    return this.numbers(tag, ds)?.[0];
  }

  us(tag: string, ds: DataSet = this.ds): number | undefined {
    const el = ds.elements[tag];
    if (!el || el.length < 2) return undefined;
    return ds.uint16(tag);
  }

  /** FD values (doubles). */
  doubles(tag: string, ds: DataSet = this.ds): number[] | undefined {
    const el = ds.elements[tag];
    if (!el || el.length < 8) return undefined;
    const out: number[] = [];
    for (let i = 0; i < Math.floor(el.length / 8); i++) out.push(ds.double(tag, i) as number);
    return out;
  }

  /** First item's data set of a sequence element. */
  item(tag: string, index = 0, ds: DataSet = this.ds): DataSet | undefined {
    return ds.elements[tag]?.items?.[index]?.dataSet;
  }

  items(tag: string, ds: DataSet = this.ds): DataSet[] {
    const items = ds.elements[tag]?.items ?? [];
    return items.map((it) => it.dataSet).filter((d): d is DataSet => d !== undefined);
  }
}

/** True when the bytes carry the Part 10 preamble and `DICM` magic. */
export function hasDicmPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * pydicom's test of the VR encoding actually used: the data set is explicit VR when the two bytes after its
 * first tag are upper-case letters (a VR), implicit otherwise (a length that large is implausible). The
 * transfer syntax only gives the assumption; pydicom reads what the bytes say, and so do we.
 */
function looksExplicitAt(bytes: Uint8Array, position: number): boolean | undefined {
  if (bytes.length < position + 6) return undefined;
  const a = bytes[position + 4], b = bytes[position + 5];
  return a > 0x40 && a < 0x5b && b > 0x40 && b < 0x5b;
}

/** True when a file's first bytes (132 or more) may start a DICOM file, with or without preamble. */
export function mayBeDicom(head: Uint8Array): boolean {
  return hasDicmPrefix(head) || looksLikeRawDataSet(head);
}

/** True when the bytes plausibly are a DICOM data set without preamble (group 0x0008 or similar first). */
function looksLikeRawDataSet(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const group = bytes[0] | (bytes[1] << 8);
  return group === 0x0002 || group === 0x0008 || group === 0x0010 || group === 0x0018 || group === 0x0020 || group === 0x0028;
}

// dicom-parser's runtime pieces the type declarations describe loosely (DataSet is a class at runtime).
type ParserInternals = {
  ByteStream: new (parser: DP.ByteArrayParser, bytes: Uint8Array, position: number) => DP.ByteStream;
  DataSet: new (parser: DP.ByteArrayParser, bytes: Uint8Array, elements: Record<string, Element>) => DataSet;
};

export function parseDicomBytes(bytes: Uint8Array, filename: string, opts: ParseOptions = {}): DicomFile {
  const maxInflated = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
  const preamble = hasDicmPrefix(bytes);
  if (!preamble && !looksLikeRawDataSet(bytes)) {
    throw new DicomError(filename, bytes.length < 132 ? `file too short (${bytes.length} bytes) to be DICOM` : "no 'DICM' magic at byte 128 and no recognisable data set start: not a DICOM file");
  }
  const options: DP.ParseDicomOptions & { inflater?: (arr: Uint8Array, position: number) => Uint8Array } = {
    inflater: (arr: Uint8Array, position: number): Uint8Array => {
      let inflated: Buffer;
      try {
        inflated = inflateRawSync(arr.subarray(position), { maxOutputLength: maxInflated });
      } catch (e) {
        throw new DicomError(filename, `deflated data set cannot be inflated: ${describeThrown(e)}`);
      }
      const out = new Uint8Array(position + inflated.length);
      out.set(arr.subarray(0, position), 0);
      out.set(inflated, position);
      return out;
    },
  };
  if (opts.headerOnly) options.untilTag = 'x7fe00010';
  if (!preamble) options.TransferSyntaxUID = looksExplicitAt(bytes, 0) ? TS.explicitLE : TS.implicitLE;
  const fail = (e: unknown): never => {
    if (e instanceof DicomError) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new DicomError(filename, 'data set nests sequences too deeply to parse');
    throw new DicomError(filename, parserProblem(e), { cause: e });
  };
  let ds: DataSet;
  let ts: string;
  try {
    const meta: DataSet & { position?: number } = dicomParser.readPart10Header(bytes, options as { untilTag: string });
    const tsEl = meta.elements.x00020010 as (Element & { Value?: string }) | undefined;
    if (!tsEl) throw new DicomError(filename, 'the file meta information has no Transfer Syntax UID (0002,0010)');
    const declared = (tsEl.Value ?? meta.string('x00020010') ?? '').replace(/\0/g, '').trim();
    ts = declared;
    if (declared === TS.deflatedLE || declared === TS.explicitBE) {
      ds = dicomParser.parseDicom(bytes, options as DP.ParseDicomOptions);
    } else {
      const position = meta.position ?? 0;
      const explicit = looksExplicitAt(bytes, position) ?? declared !== TS.implicitLE;
      // Same steps as dicomParser.parseDicom, with the VR encoding the bytes use.
      const P = dicomParser as unknown as ParserInternals;
      const stream = new P.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, position);
      ds = new P.DataSet(dicomParser.littleEndianByteArrayParser, bytes, {});
      const parseOpts = { untilTag: options.untilTag as string };
      if (explicit) dicomParser.parseDicomDataSetExplicit(ds, stream, bytes.length, parseOpts);
      else {
        dicomParser.parseDicomDataSetImplicit(ds, stream, bytes.length, parseOpts);
        encapsulatedAfterImplicit(ds, bytes);
      }
      if (preamble) for (const [tag, el] of Object.entries(meta.elements)) ds.elements[tag] = el;
      if (!preamble) ts = explicit ? TS.explicitLE : TS.implicitLE;
    }
  } catch (e) {
    return fail(e);
  }
  return new DicomFile(filename, ds, ts, preamble);
}

/**
 * dicom-parser's implicit VR reader skips undefined-length Pixel Data to its delimiter without listing the
 * fragments; encapsulated pixel data in an implicit VR data set (which pydicom reads) needs them.
 */
function encapsulatedAfterImplicit(ds: DataSet, bytes: Uint8Array): void {
  const el = ds.elements.x7fe00010;
  if (!el || !el.hadUndefinedLength || el.encapsulatedPixelData) return;
  const P = dicomParser as unknown as ParserInternals;
  const stream = new P.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, el.dataOffset);
  dicomParser.findEndOfEncapsulatedElement(stream, el, []);
}
