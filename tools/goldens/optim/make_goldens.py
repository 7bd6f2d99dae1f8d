#!/usr/bin/env python3
"""Golden values for @monai-ts/torch optim, lr schedulers, gradient clipping and GradScaler.

Run with Debian's python3-torch (PyTorch 1.13):

    /usr/bin/python3 tools/goldens/optim/make_goldens.py

Writes packages/torch/test/fixtures/optim/{optimizers,schedulers,clip,grad_scaler}.json and resume_25.pt
(PyTorch's own state dicts after 25 steps, saved with torch.save, for the TypeScript side to load and
continue from).

The fixed problem: float64 parameters w (4) and c (1) minimising
    loss = mean((A @ w + c - b) ** 2) + 0.01 * sum(w ** 4)
with A, b, w0, c0 drawn once from torch.manual_seed(0) and stored in the fixture, so the TypeScript
tests rebuild the exact same problem. For `maximize` configurations the loss is negated.

GradScaler: PyTorch 1.13's GradScaler is CUDA-only (its kernels `_amp_foreach_non_finite_check_and_unscale_`
and `_amp_update_scale_` have no CPU implementation). The golden drives PyTorch's own GradScaler class
(its stage tracking, skipped steps and growth/backoff bookkeeping) on CPU tensors with those two kernels
replaced by Python transcriptions of aten/src/ATen/native/cuda/AmpKernels.cu (1.13), and the CUDA-only
asserts lifted. See grad_scaler_reference() below.
"""
import copy
import json
import math
import os

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'torch', 'test', 'fixtures', 'optim')
STEPS = 50
RESUME_AT = 25

torch.manual_seed(0)
A = torch.randn(8, 4, dtype=torch.float64)
B = torch.randn(8, dtype=torch.float64)
W0 = torch.randn(4, dtype=torch.float64)
C0 = torch.randn(1, dtype=torch.float64)


def loss_fn(w, c, neg=False):
    loss = ((A @ w + c - B) ** 2).mean() + 0.01 * (w ** 4).sum()
    return -loss if neg else loss


def enc(v):
    """JSON form of a state value: tensors as {tensor, shape, dtype}, tuples as lists."""
    if isinstance(v, torch.Tensor):
        return {'tensor': v.detach().reshape(-1).tolist(), 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', '')}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, float) and math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if callable(v):
        return '<callable>'
    return v


OPT_CONFIGS = [
    ('SGD', {'lr': 0.1}, 1, False),
    ('SGD', {'lr': 0.1, 'momentum': 0.9}, 1, False),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01}, 1, False),
    ('SGD', {'lr': 0.1, 'momentum': 0.5, 'dampening': 0.3, 'weight_decay': 0.1}, 1, False),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'maximize': True}, 1, True),
    ('SGD', {'lr': 0.1, 'momentum': 0.9}, 2, False),
    ('Adam', {'lr': 0.05}, 1, False),
    ('Adam', {'lr': 0.05, 'amsgrad': True}, 1, False),
    ('Adam', {'lr': 0.05, 'weight_decay': 0.1, 'betas': (0.8, 0.99)}, 1, False),
    ('Adam', {'lr': 0.05, 'maximize': True}, 1, True),
    ('Adam', {'lr': 0.05, 'amsgrad': True, 'weight_decay': 0.05, 'eps': 1e-6}, 2, False),
    ('AdamW', {'lr': 0.05}, 1, False),
    ('AdamW', {'lr': 0.05, 'amsgrad': True, 'weight_decay': 0.1}, 1, False),
    ('AdamW', {'lr': 0.05, 'maximize': True, 'betas': (0.85, 0.995)}, 2, True),
    ('RMSprop', {'lr': 0.01}, 1, False),
    ('RMSprop', {'lr': 0.01, 'momentum': 0.9}, 1, False),
    ('RMSprop', {'lr': 0.01, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.1}, 1, False),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6, 'maximize': True, 'centered': True}, 2, True),
    ('Adagrad', {'lr': 0.1}, 1, False),
    ('Adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 0.1, 'initial_accumulator_value': 0.1}, 1, False),
    ('Adagrad', {'lr': 0.1, 'maximize': True, 'eps': 1e-8}, 2, True),
    ('Adadelta', {}, 1, False),
    ('Adadelta', {'lr': 0.5, 'rho': 0.8, 'weight_decay': 0.1, 'maximize': True}, 2, True),
    ('Adamax', {'lr': 0.05}, 1, False),
    ('Adamax', {'lr': 0.05, 'betas': (0.8, 0.9), 'weight_decay': 0.1, 'maximize': True}, 2, True),
    ('NAdam', {'lr': 0.05}, 1, False),
    ('NAdam', {'lr': 0.05, 'momentum_decay': 0.01, 'weight_decay': 0.1}, 2, False),
    ('RAdam', {'lr': 0.05}, 1, False),
    ('RAdam', {'lr': 0.05, 'betas': (0.8, 0.9), 'weight_decay': 0.1}, 2, False),
]

# second group (groups == 2): c in its own group with these overrides
GROUP2 = {'SGD': {'lr': 0.02, 'momentum': 0.5}, 'Adam': {'lr': 0.01, 'betas': (0.5, 0.9)},
          'AdamW': {'lr': 0.01, 'weight_decay': 0.5}, 'RMSprop': {'lr': 0.003, 'momentum': 0.2},
          'Adagrad': {'lr': 0.3, 'lr_decay': 0.1}, 'Adadelta': {'lr': 2.0, 'rho': 0.95}, 'Adamax': {'lr': 0.01},
          'NAdam': {'lr': 0.01, 'betas': (0.5, 0.9)}, 'RAdam': {'lr': 0.2}}


def make_params(groups, name):
    w = W0.clone().requires_grad_(True)
    c = C0.clone().requires_grad_(True)
    if groups == 1:
        return w, c, [w, c]
    return w, c, [{'params': [w]}, dict({'params': [c]}, **GROUP2[name])]


RESUME_PT = {}


def optimizers():
    out = []
    for name, kw, groups, neg in OPT_CONFIGS:
        w, c, params = make_params(groups, name)
        opt = getattr(torch.optim, name)(params, **kw)
        traj, losses, sd = [], [], None
        for step in range(STEPS):
            opt.zero_grad()
            loss = loss_fn(w, c, neg)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            traj.append(torch.cat([w.detach(), c.detach()]).tolist())
            if step + 1 == RESUME_AT:
                sd = enc(opt.state_dict())
                RESUME_PT['optimizer_%d' % len(out)] = copy.deepcopy(opt.state_dict())
        out.append({'optimizer': name, 'options': enc(kw), 'groups': groups, 'group2': enc(GROUP2[name]), 'neg': neg,
                    'losses': losses, 'trajectory': traj, 'state_dict_at_25': sd})
    return out


def lam(name):
    return {
        'pow095': lambda e: 0.95 ** e,
        'inv': lambda e: 1.0 / (1 + e),
        'pow09': lambda e: 0.9 ** e,
        'warmup': lambda e: min(1.0, (e + 1) / 10.0),
    }[name]


SCHED_CONFIGS = [
    ('StepLR', {'step_size': 7, 'gamma': 0.5}, 'SGD'),
    ('MultiStepLR', {'milestones': [5, 12, 12, 30], 'gamma': 0.3}, 'SGD'),
    ('ExponentialLR', {'gamma': 0.93}, 'SGD'),
    ('CosineAnnealingLR', {'T_max': 20, 'eta_min': 0.001}, 'SGD'),
    ('CosineAnnealingLR', {'T_max': 50}, 'Adam'),
    ('CosineAnnealingWarmRestarts', {'T_0': 7, 'T_mult': 2, 'eta_min': 0.0005}, 'SGD'),
    ('CosineAnnealingWarmRestarts', {'T_0': 10}, 'SGD'),
    ('LambdaLR', {'lr_lambda': 'pow095'}, 'SGD'),
    ('LambdaLR', {'lr_lambda': ['inv', 'warmup']}, 'SGD'),
    ('PolynomialLR', {'total_iters': 30, 'power': 2.0}, 'SGD'),
    ('PolynomialLR', {}, 'SGD'),
    ('OneCycleLR', {'max_lr': [0.2, 0.1], 'total_steps': 50}, 'SGD'),
    ('OneCycleLR', {'max_lr': 0.5, 'total_steps': 60, 'anneal_strategy': 'linear', 'three_phase': True}, 'Adam'),
    ('OneCycleLR', {'max_lr': 0.3, 'epochs': 5, 'steps_per_epoch': 10, 'pct_start': 0.25, 'div_factor': 10.0,
                    'final_div_factor': 100.0, 'cycle_momentum': False}, 'SGD'),
    ('MultiplicativeLR', {'lr_lambda': 'pow09'}, 'SGD'),
    ('ConstantLR', {'factor': 0.5, 'total_iters': 4}, 'SGD'),
    ('LinearLR', {'start_factor': 0.1, 'total_iters': 10}, 'Adam'),
    ('LinearLR', {}, 'SGD'),
    ('CyclicLR', {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 5}, 'SGD'),
    ('CyclicLR', {'base_lr': [0.01, 0.001], 'max_lr': [0.1, 0.05], 'step_size_up': 4, 'step_size_down': 6, 'mode': 'triangular2',
                  'base_momentum': 0.7, 'max_momentum': 0.95}, 'SGD'),
    ('CyclicLR', {'base_lr': 0.02, 'max_lr': 0.2, 'step_size_up': 7, 'mode': 'exp_range', 'gamma': 0.97, 'cycle_momentum': False}, 'Adam'),
    ('SequentialLR', {'schedulers': [['LinearLR', {'start_factor': 0.1, 'total_iters': 5}], ['CosineAnnealingLR', {'T_max': 45}]],
                      'milestones': [5]}, 'SGD'),
    ('SequentialLR', {'schedulers': [['ConstantLR', {'factor': 0.2, 'total_iters': 3}], ['StepLR', {'step_size': 4, 'gamma': 0.7}],
                                     ['ExponentialLR', {'gamma': 0.9}]], 'milestones': [6, 20]}, 'Adam'),
    ('ChainedScheduler', {'schedulers': [['ConstantLR', {'factor': 0.5, 'total_iters': 8}], ['ExponentialLR', {'gamma': 0.95}]]}, 'SGD'),
    ('ReduceLROnPlateau', {'mode': 'min', 'factor': 0.5, 'patience': 2, 'threshold': 0.01, 'cooldown': 1,
                           'min_lr': 0.002}, 'SGD'),
    ('ReduceLROnPlateau', {'mode': 'max', 'threshold_mode': 'abs', 'threshold': 0.05, 'patience': 3,
                           'min_lr': [0.01, 0.0]}, 'Adam'),
]


def metric(i, mode):
    # a noisy plateauing curve: improves, stalls, oscillates
    v = 1.0 / (1 + 0.3 * i) + 0.05 * math.sin(1.7 * i)
    return v if mode == 'min' else -v


def schedulers():
    out = []
    for name, kw, opt_name in SCHED_CONFIGS:
        w, c, _ = make_params(1, opt_name)
        groups = [{'params': [w], 'lr': 0.1}, {'params': [c], 'lr': 0.01}]
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9) if opt_name == 'SGD' else torch.optim.Adam(groups, lr=0.1)
        args = dict(kw)
        if name == 'LambdaLR':
            ll = args['lr_lambda']
            args['lr_lambda'] = [lam(x) for x in ll] if isinstance(ll, list) else lam(ll)
        if 'schedulers' in args:
            args['schedulers'] = [getattr(torch.optim.lr_scheduler, n)(opt, **o) for n, o in args['schedulers']]
        if name == 'MultiplicativeLR':
            args['lr_lambda'] = lam(args['lr_lambda'])
        sched = (torch.optim.lr_scheduler.ChainedScheduler(args['schedulers']) if name == 'ChainedScheduler'
                 else getattr(torch.optim.lr_scheduler, name)(opt, **args))
        lrs, moms, sd = [], [], None
        initial = [g['lr'] for g in opt.param_groups]
        for step in range(STEPS):
            opt.zero_grad()
            loss_fn(w, c).backward()
            opt.step()
            if name == 'ReduceLROnPlateau':
                sched.step(metric(step, kw['mode']))
                lrs.append([g['lr'] for g in opt.param_groups])
            else:
                sched.step()
                lrs.append(sched.get_last_lr())
            moms.append([g['momentum'] if opt_name == 'SGD' else g['betas'][0] for g in opt.param_groups])
            if step + 1 == RESUME_AT:
                sd = enc(sched.state_dict())
                if name in ('StepLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'PolynomialLR', 'ReduceLROnPlateau'):
                    RESUME_PT['scheduler_%d' % len(out)] = copy.deepcopy({'optimizer': opt.state_dict(), 'scheduler': sched.state_dict()})
        out.append({'scheduler': name, 'options': enc(kw), 'optimizer': opt_name, 'initial_lr': initial, 'lrs': lrs,
                    'momentum': moms, 'trajectory_end': torch.cat([w.detach(), c.detach()]).tolist(), 'state_dict_at_25': sd})
    return out


def clipping():
    torch.manual_seed(1)
    grads = [torch.randn(3, 4) * 0.7, torch.randn(5) * 2.0, torch.randn(2, 2) * 0.1]
    cases = []
    for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.7, math.inf), (2.0, 3.0), (1.0, 0.5), (3.0, 2.0)]:
        ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        cases.append({'max_norm': max_norm, 'norm_type': 'inf' if math.isinf(norm_type) else norm_type,
                      'total_norm': total.item(), 'grads': [p.grad.reshape(-1).tolist() for p in ps]})
    values = []
    for clip in [0.3, 1.5]:
        ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(ps, clip)
        values.append({'clip_value': clip, 'grads': [p.grad.reshape(-1).tolist() for p in ps]})
    return {'grads': [{'shape': list(g.shape), 'values': g.reshape(-1).tolist()} for g in grads], 'norm_cases': cases,
            'value_cases': values}


# ---- GradScaler reference: PyTorch 1.13's GradScaler with its CUDA kernels transcribed to Python

def _non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    # AmpKernels.cu: found_inf = 1 if any element is non-finite; every element *= inv_scale (opmath float)
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        if inv_scale.item() != 1.0:
            g.copy_((g.float() * inv_scale.float()).to(g.dtype))


def _update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    # AmpKernels.cu amp_update_scale_cuda_kernel
    if found_inf.item():
        scale.fill_(float(torch.tensor(scale.item() * backoff_factor, dtype=torch.float64).float()))
        growth_tracker.fill_(0)
    else:
        successful = growth_tracker.item() + 1
        if successful == growth_interval:
            new_scale = float(torch.tensor(scale.item() * growth_factor, dtype=torch.float64).float())
            if math.isfinite(new_scale):
                scale.fill_(new_scale)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


def grad_scaler_reference():
    import torch.cuda.amp.grad_scaler as gs
    gs.amp_definitely_not_available = lambda: False

    def rep_init(self, master):
        self.master = master
        self._per_device_tensors = {}
    gs._MultiDeviceReplicator.__init__ = rep_init
    torch._amp_foreach_non_finite_check_and_unscale_ = _non_finite_check_and_unscale_
    torch._amp_update_scale_ = _update_scale_

    class CpuGradScaler(gs.GradScaler):
        def scale(self, outputs):  # GradScaler.scale without the is_cuda assert
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(device=outputs.device, non_blocking=True)

    runs = []
    for cfg in [
        {'init_scale': 1024.0, 'growth_factor': 2.0, 'backoff_factor': 0.5, 'growth_interval': 3, 'inf_steps': [4, 5, 11],
         'clip_steps': [2, 8], 'optimizer': 'SGD'},
        {'init_scale': 2.0 ** 16, 'growth_factor': 3.0, 'backoff_factor': 0.25, 'growth_interval': 2, 'inf_steps': [0, 1, 2, 9],
         'clip_steps': [], 'optimizer': 'Adam'},
    ]:
        w = W0.float().clone().requires_grad_(True)
        c = C0.float().clone().requires_grad_(True)
        opt = torch.optim.SGD([w, c], lr=0.05, momentum=0.9) if cfg['optimizer'] == 'SGD' else torch.optim.Adam([w, c], lr=0.05)
        scaler = CpuGradScaler(init_scale=cfg['init_scale'], growth_factor=cfg['growth_factor'],
                               backoff_factor=cfg['backoff_factor'], growth_interval=cfg['growth_interval'])
        rec = []
        for step in range(16):
            opt.zero_grad()
            loss = ((A.float() @ w + c - B.float()) ** 2).mean()
            if step in cfg['inf_steps']:
                loss = loss * float('inf')
            scaler.scale(loss).backward()
            if step in cfg['clip_steps']:
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_([w, c], 0.5)
            before = torch.cat([w.detach(), c.detach()]).clone()
            scaler.step(opt)
            stepped = not torch.equal(before, torch.cat([w.detach(), c.detach()]))
            scaler.update()
            rec.append({'scale': scaler.get_scale(), 'growth_tracker': scaler._get_growth_tracker(), 'stepped': stepped,
                        'params': torch.cat([w.detach(), c.detach()]).tolist()})
        runs.append({'config': cfg, 'steps': rec, 'state_dict': scaler.state_dict()})
        RESUME_PT['scaler_%d' % (len(runs) - 1)] = scaler.state_dict()
    return runs


def autocast_cases():
    """Output dtypes and values of a few ops under CPU bf16 autocast (and the fp32 grads through them)."""
    g = torch.Generator().manual_seed(3)
    r = lambda *shape: torch.randn(*shape, generator=g)
    t = {'a': r(4, 5), 'b': r(5, 3), 'c': r(4, 3), 'A': r(2, 4, 5), 'B': r(2, 5, 3), 'x': r(1, 2, 6, 6), 'w': r(3, 2, 3, 3),
         'bias': r(3), 'lw': r(3, 5), 'p': torch.rand(4, 3, generator=g), 'y': torch.rand(4, 3, generator=g).round()}
    F = torch.nn.functional
    ops = {
        'mm': lambda: torch.mm(t['a'], t['b']),
        'matmul': lambda: torch.matmul(t['a'], t['b']),
        'bmm': lambda: torch.bmm(t['A'], t['B']),
        'addmm': lambda: torch.addmm(t['c'], t['a'], t['b']),
        'conv2d': lambda: F.conv2d(t['x'], t['w'], t['bias'], padding=1),
        'linear': lambda: F.linear(t['a'], t['lw'], t['bias']),
        'relu': lambda: torch.relu(t['a']),
        'softmax': lambda: torch.softmax(t['a'], -1),
        'log_softmax': lambda: torch.log_softmax(t['a'], -1),
        'layer_norm': lambda: F.layer_norm(t['a'], [5]),
        'group_norm': lambda: F.group_norm(t['x'], 2),
        'mm_plus_fp32': lambda: torch.mm(t['a'], t['b']) + t['c'],
        'bce': lambda: F.binary_cross_entropy(t['p'], t['y']),
        'sum_of_mm': lambda: torch.mm(t['a'], t['b']).sum(),
    }
    out = {'inputs': {k: {'shape': list(v.shape), 'values': v.reshape(-1).tolist()} for k, v in t.items()}, 'ops': {}}
    for name, fn in ops.items():
        with torch.autocast('cpu', dtype=torch.bfloat16):
            y = fn()
        out['ops'][name] = {'dtype': str(y.dtype).replace('torch.', ''), 'values': y.float().reshape(-1).tolist()}
    a = t['a'].clone().requires_grad_(True)
    b = t['b'].clone().requires_grad_(True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = torch.mm(a, b).float().pow(2).mean()
    loss.backward()
    out['grads'] = {'loss': loss.item(), 'a': a.grad.reshape(-1).tolist(), 'b': b.grad.reshape(-1).tolist(),
                    'dtype': str(a.grad.dtype).replace('torch.', '')}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    problem = {'A': A.reshape(-1).tolist(), 'A_shape': list(A.shape), 'b': B.tolist(), 'w0': W0.tolist(), 'c0': C0.tolist()}
    with open(os.path.join(OUT, 'optimizers.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'problem': problem, 'steps': STEPS, 'resume_at': RESUME_AT,
                   'configs': optimizers()}, f)
    with open(os.path.join(OUT, 'schedulers.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'problem': problem, 'steps': STEPS, 'resume_at': RESUME_AT,
                   'configs': schedulers()}, f)
    with open(os.path.join(OUT, 'clip.json'), 'w') as f:
        json.dump({'torch': torch.__version__, **clipping()}, f, allow_nan=False)
    with open(os.path.join(OUT, 'grad_scaler.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'problem': problem, 'runs': grad_scaler_reference()}, f, allow_nan=False)
    torch.save(RESUME_PT, os.path.join(OUT, 'resume_25.pt'))
    with open(os.path.join(OUT, 'autocast.json'), 'w') as f:
        json.dump({'torch': torch.__version__, **autocast_cases()}, f, allow_nan=False)


if __name__ == '__main__':
    main()
