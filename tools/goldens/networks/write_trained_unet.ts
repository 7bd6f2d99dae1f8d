// Trains the round-trip UNet 3 steps here (packages/monai/test/networks/nets/trained_unet.ts) and
// saves { state_dict, input, output } with torch.save, for check_roundtrip.py to load into MONAI:
//   npx tsx tools/goldens/networks/write_trained_unet.ts /tmp/ts_trained_unet.pt
import * as torch from '@monai-ts/torch';
import { trainUNet3Steps } from '../../../packages/monai/test/networks/nets/trained_unet.js';

const out = process.argv[2] ?? '/tmp/ts_trained_unet.pt';
const { net, input, losses } = trainUNet3Steps();
torch.tidy(() => {
  const output = torch.noGrad(() => net.forward(input));
  torch.save({ state_dict: net.stateDict(), input, output }, out);
});
input.dispose();
net.dispose();
console.log(`losses ${losses.map((l) => l.toFixed(6)).join(', ')}; wrote ${out}`);
