// Named loggers with Python logging's level rules, which MONAI's handlers rely on: a logger made by
// setupLogger (MONAI's get_logger) prints INFO and above to stdout as "<time> - INFO - <message>"; any
// other logger (getLogger(name), an engine's logger) has no output of its own, so INFO is dropped and
// WARNING and above reach stderr as plain messages (Python's last-resort handler). Output is pluggable:
// add a sink to a logger, or give setupLogger one.

export const LogLevel = { NOTSET: 0, DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
const LEVEL_NAMES: Record<number, string> = { 10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL' };

export interface LogRecord {
  name: string;
  level: number;
  levelName: string;
  message: string;
  time: Date;
  /** the error given to logger.exception */
  error?: unknown;
}
export type LogSink = (record: LogRecord) => void;

/** The level Python uses for a logger whose level is NOTSET (the root logger's default). */
const ROOT_LEVEL = LogLevel.WARNING;

export class Logger {
  /** NOTSET (0) means "the root's level" (WARNING), as in Python. */
  level: number = LogLevel.NOTSET;
  readonly sinks: LogSink[] = [];

  constructor(readonly name: string) {}

  setLevel(level: number): this {
    this.level = level;
    return this;
  }
  getEffectiveLevel(): number {
    return this.level === LogLevel.NOTSET ? ROOT_LEVEL : this.level;
  }
  isEnabledFor(level: number): boolean {
    return level >= this.getEffectiveLevel();
  }
  addSink(sink: LogSink): this {
    this.sinks.push(sink);
    return this;
  }
  removeSink(sink: LogSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  log(level: number, message: string, error?: unknown): void {
    if (!this.isEnabledFor(level)) return;
    const record: LogRecord = { name: this.name, level, levelName: LEVEL_NAMES[level] ?? `Level ${level}`, message, time: new Date(), error };
    if (this.sinks.length) for (const s of this.sinks) s(record);
    else if (level >= LogLevel.WARNING) process.stderr.write(`${withError(record)}\n`);
  }
  debug(message: string): void {
    this.log(LogLevel.DEBUG, message);
  }
  info(message: string): void {
    this.log(LogLevel.INFO, message);
  }
  warning(message: string): void {
    this.log(LogLevel.WARNING, message);
  }
  error(message: string): void {
    this.log(LogLevel.ERROR, message);
  }
  /** An ERROR record carrying the error (its stack is printed after the message, as Python's traceback). */
  exception(message: string, error: unknown): void {
    this.log(LogLevel.ERROR, message, error);
  }
}

const registry = new Map<string, Logger>();

/** The logger of this name (created on first use, as logging.getLogger). */
export function getLogger(name: string): Logger {
  if (typeof name !== 'string' || !name) throw new TypeError(`getLogger: name must be a non-empty string, found ${JSON.stringify(name)}`);
  let l = registry.get(name);
  if (!l) registry.set(name, (l = new Logger(name)));
  return l;
}

/** Ignite's engine logger name: "ignite.engine.engine.<class name>". */
export function engineLoggerName(engine: object): string {
  return `ignite.engine.engine.${engine.constructor.name}`;
}

/** MONAI's default record format. */
export const DEFAULT_FMT = '%(asctime)s - %(levelname)s - %(message)s';

/** Python's default asctime: "2024-05-01 13:04:05,123" in local time. */
function asctime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

function withError(r: LogRecord): string {
  if (r.error === undefined) return r.message;
  const e = r.error as { stack?: unknown };
  return `${r.message}\n${typeof e?.stack === 'string' ? e.stack : String(r.error)}`;
}

/** Formats a record with Python's %(asctime)s, %(levelname)s, %(name)s and %(message)s fields (an error's stack follows). */
export function formatRecord(fmt: string, r: LogRecord): string {
  const line = fmt.replace(/%\((asctime|levelname|name|message)\)s/g, (_m, k: string) =>
    k === 'asctime' ? asctime(r.time) : k === 'levelname' ? r.levelName : k === 'name' ? r.name : r.message);
  return withError({ ...r, message: line });
}

export interface SetupLoggerOptions {
  fmt?: string;
  /** where formatted lines go (default: stdout) */
  write?: (line: string) => void;
  /** one more sink, as get_logger's logger_handler */
  sink?: LogSink | null;
}

const stdoutSinks = new WeakSet<LogSink>();

/**
 * MONAI's get_logger: the named logger at INFO, printing formatted lines to stdout; the stdout output is
 * added only the first time the logger is set up, so setting it up again never doubles lines.
 */
export function setupLogger(name: string, options: SetupLoggerOptions = {}): Logger {
  const l = getLogger(name);
  l.setLevel(LogLevel.INFO);
  if (!l.sinks.some((s) => stdoutSinks.has(s))) {
    const fmt = options.fmt ?? DEFAULT_FMT;
    const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
    const sink: LogSink = (r) => write(formatRecord(fmt, r));
    stdoutSinks.add(sink);
    l.addSink(sink);
  }
  if (options.sink) l.addSink(options.sink);
  return l;
}
