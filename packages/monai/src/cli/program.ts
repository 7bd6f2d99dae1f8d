// The monai-ts command line: train (the spleen recipe from a JSON/YAML config), infer (sliding-window
// segmentation of NIfTI files with a .pt or TorchScript model) and evaluate (Dice and HD95 of predictions
// against labels). Failures print one line per problem ("monai-ts <command>: ...") and exit with 1.
import { Dashboard } from '../dashboard/index.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, DEFAULT_SPLEEN_CONFIG, type SpleenConfig } from '../apps/spleen/config.js';
import { evaluateSegmentations } from '../apps/spleen/evaluate.js';
import { inferSpleen, listInputImages } from '../apps/spleen/infer.js';
import { loadSpleenModel } from '../apps/spleen/network.js';
import { consoleProgress } from '../apps/spleen/report.js';
import { resolveDevice, splitDatalist, trainSpleen } from '../apps/spleen/train.js';
import { checkRankDevice, checkRankShares, currentSpleenRank, joinSpleenRanks, launchSpleenRanks, leaveSpleenRanks } from '../apps/spleen/distributed.js';
import { loadConfigFile } from './config_file.js';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** aborts training (Ctrl-C in the bin) */
  signal?: AbortSignal;
}

/** A failure the CLI reports as its own line(s) without a stack. */
class CliError extends Error {}

const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`option '${name}': expected a positive integer, found '${v}'`);
  return n;
};
const portArg = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`option '${name}': expected a port number in [0, 65535], found '${v}'`);
  return n;
};
const intList = (name: string) => (v: string): number[] => {
  const parts = v.split(/[,x ]+/).filter(Boolean).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1)) throw new CliError(`option '${name}': expected three positive integers such as 96,96,96, found '${v}'`);
  return parts;
};

/** The config next to a model: <run>/config.json when the model sits in <run>/checkpoints/. */
function configBesideModel(model: string): string | null {
  const c = path.join(path.dirname(path.dirname(path.resolve(model))), 'config.json');
  return fs.existsSync(c) ? c : null;
}

/** Recipe fields inference needs, from --config or a train run's config.json, else the defaults. */
function inferenceConfig(configFile: string | undefined, model: string, log: (s: string) => void): Omit<SpleenConfig, 'data'> {
  const file = configFile ?? configBesideModel(model);
  if (!file) return { ...DEFAULT_SPLEEN_CONFIG };
  if (!configFile) log(`using the training config ${file}`);
  // inference reads no data folder: a placeholder satisfies that field's check
  return loadConfigFile(file, { data: '-' });
}

export function buildProgram(io: CliIO): Command {
  const out = (s: string): void => void io.stdout.write(`${s}\n`);
  const program = new Command('monai-ts')
    .description('MONAI for TypeScript: train, run and score 3D segmentation (the spleen fast-training recipe)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('train')
    .description('train the spleen recipe from a JSON or YAML config (fields: data, output, epochs, valInterval, roi, cacheRate, amp, lr, seed, numWorkers, ranks, ...)')
    .requiredOption('--config <file>', 'recipe config (.json, .yaml or .yml)')
    .option('--data <folder>', 'Decathlon-layout folder with dataset.json (overrides the config)')
    .option('--output <folder>', 'output folder (overrides the config)')
    .addOption(new Option('--epochs <n>', 'epochs (overrides the config)').argParser(positiveInt('--epochs')))
    .option('--stats', "print MONAI's StatsHandler log lines (loss per iteration, metrics per epoch)")
    .addOption(new Option('--dashboard [port]', 'serve a live dashboard on 127.0.0.1 (loss and Dice curves, validation slices); port 0 or none picks a free one').argParser(portArg('--dashboard')))
    .action(async (opts: { config: string; data?: string; output?: string; epochs?: number; stats?: boolean; dashboard?: number | true }) => {
      let cfg = loadConfigFile(opts.config, { data: opts.data && path.resolve(opts.data), output: opts.output && path.resolve(opts.output), epochs: opts.epochs });
      // ranks > 1: this process starts the ranks (each runs this command on the saved config.json)
      const rank = currentSpleenRank(cfg);
      if (!rank) {
        const split = splitDatalist(cfg); // a wrong data folder fails before anything is written to the output folder
        if (cfg.ranks > 1) {
          checkRankShares(split, cfg.ranks);
          checkRankDevice(resolveDevice(cfg.device), cfg.ranks); // a device this machine lacks fails here, not once per rank
        }
        fs.mkdirSync(cfg.output, { recursive: true });
        fs.writeFileSync(path.join(cfg.output, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
      }
      if (!rank && cfg.ranks > 1) {
        const args = ['train', '--config', path.join(cfg.output, 'config.json')];
        if (opts.stats) args.push('--stats');
        if (opts.dashboard !== undefined) args.push('--dashboard', ...(opts.dashboard === true ? [] : [String(opts.dashboard)]));
        out(`training on ${cfg.ranks} local ranks (DistributedDataParallel); rank 0 writes ${cfg.output}`);
        const failed = await launchSpleenRanks({ ranks: cfg.ranks, args, stdout: io.stdout as Writable, stderr: io.stderr as Writable });
        if (failed) throw new CliError(failed);
        return;
      }
      if (rank) cfg = joinSpleenRanks(cfg, rank, resolveDevice(cfg.device));
      const lead = !rank || rank.rank === 0;
      const progress = consoleProgress({ out: lead ? io.stdout : new PassThrough().resume(), bar: opts.stats ? false : undefined });
      const dashboard = opts.dashboard === undefined || !lead ? undefined : new Dashboard({ port: opts.dashboard === true ? 0 : opts.dashboard, title: `monai-ts train: ${path.basename(cfg.output)}` });
      if (dashboard) out(`dashboard: ${await dashboard.start()}`);
      let r;
      try {
        r = await trainSpleen(cfg, { progress, signal: io.signal, logStats: opts.stats ?? false, dashboard, distributed: rank ?? undefined });
      } finally {
        await dashboard?.close();
        if (rank) leaveSpleenRanks();
      }
      progress.stop();
      if (r.interrupted) out(`interrupted; the last completed epoch is saved in ${r.lastCheckpoint} (run again to resume)`);
      const mean = r.epochSeconds.length ? r.epochSeconds.reduce((a, b) => a + b, 0) / r.epochSeconds.length : NaN;
      out(`trained to epoch ${r.epoch} in ${r.totalSeconds.toFixed(1)} s (${mean.toFixed(1)} s per epoch); best validation Dice ${r.bestDice.toFixed(4)} at epoch ${r.bestEpoch}`);
      if (rank) out(`rank ${rank.rank} of ${rank.worldSize}: parameter checksum ${r.parameterChecksum}`);
      if (!lead) return;
      out(`best model: ${r.bestCheckpoint}`);
    });

  program
    .command('infer')
    .description('segment NIfTI images with a trained model (sliding window), writing <name>_seg.nii.gz in each image\'s own grid')
    .requiredOption('--model <file>', 'a .pt state dict or checkpoint (torch.save), or a TorchScript file')
    .requiredOption('--input <file|folder>', 'a .nii/.nii.gz file, a folder of them, a DICOM series folder, or a folder of series folders')
    .requiredOption('--output <folder>', 'where predictions go')
    .option('--config <file>', 'recipe config for pixdim, intensityRange, roi and the network (default: <run>/config.json beside the model, else the recipe defaults)')
    .addOption(new Option('--roi <x,y,z>', 'sliding-window size (overrides the config)').argParser(intList('--roi')))
    .addOption(new Option('--sw-batch-size <n>', 'windows per forward pass').argParser(positiveInt('--sw-batch-size')))
    .option('--device <device>', "'auto', 'cpu' or 'cuda[:N]'", 'auto')
    .action((opts: { model: string; input: string; output: string; config?: string; roi?: number[]; swBatchSize?: number; device: string }) => {
      if (!fs.existsSync(opts.model)) throw new CliError(`--model ${opts.model}: no such file`);
      const files = listInputImages(opts.input);
      const cfg = inferenceConfig(opts.config, opts.model, out);
      if (opts.roi) cfg.swRoi = opts.roi;
      if (opts.swBatchSize) cfg.swBatchSize = opts.swBatchSize;
      const device = resolveDevice(opts.device);
      const model = loadSpleenModel(opts.model, cfg, device);
      try {
        out(`${files.length} image(s); ${model.kind === 'torchscript' ? 'TorchScript' : 'UNet state dict'} model on ${device}`);
        inferSpleen(model, files, opts.output, cfg, device, (r) => out(`${path.basename(r.input)} -> ${r.output} (${r.foreground} foreground voxels, ${r.seconds.toFixed(1)} s)`));
      } finally {
        model.dispose();
      }
    });

  program
    .command('evaluate')
    .description('Dice and 95th-percentile Hausdorff distance (mm) of predictions against labels, per case, as CSV and a summary table')
    .requiredOption('--pred <folder>', 'predicted masks (<name>.nii.gz or <name>_seg.nii.gz)')
    .requiredOption('--label <folder>', 'label masks (<name>.nii.gz)')
    .option('--csv <file>', 'where the CSV goes (default <pred>/metrics.csv)')
    .action((opts: { pred: string; label: string; csv?: string }) => {
      const csv = opts.csv ?? path.join(opts.pred, 'metrics.csv');
      const r = evaluateSegmentations(opts.pred, opts.label, csv);
      const w = Math.max(4, ...r.cases.map((c) => c.case.length));
      const f = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : 'nan').padStart(9);
      out(`${'case'.padEnd(w)}      dice   hd95 mm`);
      for (const c of r.cases) out(`${c.case.padEnd(w)} ${f(c.dice, 4)} ${f(c.hd95, 2)}`);
      out('-'.repeat(w + 20));
      for (const k of ['mean', 'std', 'min', 'max'] as const) out(`${k.padEnd(w)} ${f(r.summary.dice[k], 4)} ${f(r.summary.hd95[k], 2)}`);
      out(`${r.cases.length} case(s); CSV written to ${csv}`);
    });
  return program;
}

/** Runs the CLI on argv (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = buildProgram(io);
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : '';
  const prefix = `monai-ts${command ? ` ${command}` : ''}: `;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with code 0; commander already printed its message
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 1;
    }
    const lines = e instanceof ConfigError ? e.message.split('\n') : [(e as Error).message.split('\n')[0]];
    for (const l of lines) io.stderr.write(`${prefix}error: ${l}\n`);
    if (!(e instanceof ConfigError) && !(e instanceof CliError) && process.env.MONAI_TS_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
