// Progress output for the recipe: a progress bar per epoch on a terminal (cli-progress), plain lines
// otherwise (logs, CI), and validation lines in both.
import cliProgress from 'cli-progress';
import type { TrainProgress } from './train.js';

export interface ConsoleProgressOptions {
  /** where lines go (default process.stdout) */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** draw a bar (default: when out is a terminal) */
  bar?: boolean;
}

/** A TrainProgress that prints to a stream; stop() ends a bar left running (after an interrupt). */
export function consoleProgress(options: ConsoleProgressOptions = {}): TrainProgress & { stop(): void } {
  const out = options.out ?? process.stdout;
  const useBar = options.bar ?? Boolean(out.isTTY);
  const line = (s: string): void => void out.write(`${s}\n`);
  let bar: cliProgress.SingleBar | null = null;
  let maxEpochs = 0;
  let lastDice = '-';
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    stop,
    onStart(i) {
      maxEpochs = i.maxEpochs;
      line(`${i.trainCases} training and ${i.valCases} validation volumes cached in ${i.cacheSeconds.toFixed(1)} s; UNet with ${i.parameters.toLocaleString('en-US')} parameters on ${i.device}`);
      if (i.targetReached) line(`the checkpoint of epoch ${i.startEpoch} already reached the target Dice: no further training`);
      else if (i.startEpoch > 0) line(`resuming after epoch ${i.startEpoch} (from the last checkpoint)`);
    },
    onIteration(i) {
      if (!useBar) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} steps | loss {loss} | val Dice {dice}', hideCursor: true, stream: out as NodeJS.WritableStream },
          cliProgress.Presets.shades_classic,
        );
        bar.start(i.epochLength, 0, { epoch: i.epoch, epochs: maxEpochs, loss: '-', dice: lastDice });
      }
      bar.update(i.iteration, { loss: i.loss.toFixed(4) });
    },
    onEpoch(i) {
      stop();
      if (!useBar) line(`epoch ${i.epoch}/${maxEpochs}: mean loss ${i.meanLoss.toFixed(4)} in ${i.seconds.toFixed(1)} s`);
    },
    onValidation(i) {
      lastDice = i.dice.toFixed(4);
      line(`epoch ${i.epoch}: validation mean Dice ${i.dice.toFixed(4)} (best ${i.bestDice.toFixed(4)} at epoch ${i.bestEpoch}; ${i.seconds.toFixed(1)} s; ${i.elapsed.toFixed(0)} s since start)`);
    },
  };
}
