#!/usr/bin/env python3
"""Loads the state dicts written by write_ts_state_dicts.ts in PyTorch 1.13 with weights_only=True,
restores torch.optim optimizers / schedulers from them and checks that they continue the golden
trajectories (fixtures/optim/*.json) for the remaining 25 steps.

    npx tsx tools/goldens/optim/write_ts_state_dicts.ts /tmp/ts_state_25.pt
    /usr/bin/python3 tools/goldens/optim/check_ts_state_dicts.py /tmp/ts_state_25.pt
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import make_goldens as G  # noqa: E402

FIX = G.OUT


def main(path):
    try:
        sd = torch.load(path, weights_only=True)
        print('loaded with weights_only=True')
    except Exception as e:  # PyTorch 1.13's weights-only unpickler has no BINFLOAT: it refuses any float,
        # including those in its own optimizer state dicts (torch.save({'lr': 0.1}) fails the same way)
        if 'Unsupported operand 71' not in str(e):
            raise
        print('weights_only=True refused a float (PyTorch 1.13 limitation, same for its own files); loading normally')
        sd = torch.load(path)
    opt_g = json.load(open(os.path.join(FIX, 'optimizers.json')))
    worst = 0.0
    for i, cfg in enumerate(opt_g['configs']):
        at25 = cfg['trajectory'][opt_g['resume_at'] - 1]
        w = torch.tensor(at25[:4], dtype=torch.float64, requires_grad=True)
        c = torch.tensor(at25[4:], dtype=torch.float64, requires_grad=True)
        params = [w, c] if cfg['groups'] == 1 else [{'params': [w]}, {'params': [c]}]
        opt = getattr(torch.optim, cfg['optimizer'])(params, lr=123.0)
        opt.load_state_dict(sd['optimizer_%d' % i])
        for s in range(opt_g['resume_at'], opt_g['steps']):
            opt.zero_grad()
            G.loss_fn(w, c, cfg['neg']).backward()
            opt.step()
            got = torch.cat([w.detach(), c.detach()]).tolist()
            worst = max(worst, max(abs(a - b) for a, b in zip(got, cfg['trajectory'][s])))
    print('optimizers: %d state dicts loaded ; max |param diff| over steps 26-50: %.3g' % (len(opt_g['configs']), worst))
    worst_opt = worst
    sch_g = json.load(open(os.path.join(FIX, 'schedulers.json')))
    worst = 0.0
    n = 0
    for i, cfg in enumerate(sch_g['configs']):
        if cfg['scheduler'] in ('LambdaLR', 'MultiplicativeLR', 'CyclicLR'):
            continue  # functions (lambdas, CyclicLR's scale function) are not in state dicts
        n += 1
        w, c, _ = G.make_params(1, cfg['optimizer'])
        groups = [{'params': [w], 'lr': 0.1}, {'params': [c], 'lr': 0.01}]
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9) if cfg['optimizer'] == 'SGD' else torch.optim.Adam(groups, lr=0.1)
        kw = dict(cfg['options'])
        if 'schedulers' in kw:
            kw['schedulers'] = [getattr(torch.optim.lr_scheduler, n)(opt, **o) for n, o in kw['schedulers']]
        sched = (torch.optim.lr_scheduler.ChainedScheduler(kw['schedulers']) if cfg['scheduler'] == 'ChainedScheduler'
                 else getattr(torch.optim.lr_scheduler, cfg['scheduler'])(opt, **kw))
        entry = sd['scheduler_%d' % i]
        opt.load_state_dict(entry['optimizer'])
        ssd = dict(entry['scheduler'])
        if cfg['scheduler'] == 'OneCycleLR':
            ssd.pop('anneal_strategy')  # PyTorch keeps its bound anneal_func instead
        if cfg['scheduler'] == 'MultiStepLR':
            from collections import Counter
            ssd['milestones'] = Counter(ssd['milestones'])
        sched.load_state_dict(ssd)
        for s in range(sch_g['resume_at'], sch_g['steps']):
            opt.zero_grad()
            G.loss_fn(w, c).backward()
            opt.step()
            if cfg['scheduler'] == 'ReduceLROnPlateau':
                sched.step(G.metric(s, kw['mode']))
                lrs = [g['lr'] for g in opt.param_groups]
            else:
                sched.step()
                lrs = sched.get_last_lr()
            worst = max(worst, max(abs(a - b) for a, b in zip(lrs, cfg['lrs'][s])))
    print('schedulers: %d state dicts loaded; max |lr diff| over steps 26-50: %.3g' % (n, worst))
    print('GradScaler state dict:', sd['scaler'])
    return worst_opt, worst


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/tmp/ts_state_25.pt')
