// The error every native entry point throws: libtorch's message plus the operator and schema.
export class TorchError extends Error {
  readonly op: string;
  readonly schema: string;
  constructor(message: string, op = '', schema = '') {
    super(op ? `${op}: ${message}${schema ? `\n  schema: ${schema}` : ''}` : message);
    this.name = 'TorchError';
    this.op = op;
    this.schema = schema;
  }
}
