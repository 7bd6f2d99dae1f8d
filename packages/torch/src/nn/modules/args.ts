// PyTorch's positional constructor form for the layers: `new nn.Conv3d(1, 16, 3, { padding: 1 })`
// means the same as `new nn.Conv3d({ inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 })`.

/** The trailing options after some positional arguments: the keys not given positionally. */
type Trailing<O, Used extends PropertyKey> = [keyof Omit<O, Used>] extends [never]
  ? []
  : {} extends Omit<O, Used>
    ? [options?: Omit<O, Used>]
    : [options: Omit<O, Used>];

/**
 * The positional call forms of a layer. P is PyTorch's parameter list as a labelled tuple, N the
 * option names in the same order (the runtime list, `typeof NAMES`), O the options interface.
 * Each non-empty prefix of P may be followed by an options object holding the other keys (required
 * when a required key is still missing), so naming an argument twice is a type error too.
 */
export type PositionalArgs<P extends unknown[] & { length: N['length'] }, N extends readonly string[], O> = Forms<P, N, O>;
type Forms<P extends unknown[], N extends readonly string[], O> = P extends [...infer H, unknown]
  ? N extends readonly [...infer NH extends readonly string[], string]
    ? [...P, ...Trailing<O, N[number]>] | Forms<H, NH, O>
    : never
  : never;

function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges a layer's constructor arguments into one options object: leading positional arguments
 * take `names` in order (undefined means not given, null is a value as Python's None), and a
 * trailing plain object gives the rest by name. Unknown or missing keys are left to the layer's
 * own option check (with its "did you mean"); this throws for too many positional arguments, an
 * options object that is not last, and an argument given both ways.
 */
export function layerArgs<O extends object>(cls: string, args: readonly unknown[], names: readonly string[]): O {
  if (args.length === 0) return {} as O;
  const last = args[args.length - 1];
  const named = isOptionsObject(last) ? last : null;
  const positional = named ? args.slice(0, -1) : args;
  if (named && positional.length === 0) return named as O;
  if (positional.length > names.length)
    throw new TypeError(`${cls}: takes at most ${names.length} positional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}), found ${positional.length}`);
  const out: Record<string, unknown> = { ...named };
  positional.forEach((v, i) => {
    if (isOptionsObject(v)) throw new TypeError(`${cls}: the options object must be the last argument (found one at position ${i + 1})`);
    if (v === undefined) return;
    const name = names[i];
    if (named && named[name] !== undefined) throw new TypeError(`${cls}: got '${name}' both as positional argument ${i + 1} and in the options`);
    out[name] = v;
  });
  return out as O;
}
