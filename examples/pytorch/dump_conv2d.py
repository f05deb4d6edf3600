#!/usr/bin/env python3
"""dump_conv2d.py: run a torch.nn.Conv2d forward and backward and save its
tensors and gradients for `convgrad gradcheck --load DIR`.

    python3 dump_conv2d.py DIR [--shape N,C_in,H_in,W_in,C_out,R,S]
                               [--stride 2,3] [--padding 0,0]
                               [--dilation 1,1] [--groups 1] [--seed 1]
                               [--dtype float32|float64]

DIR gets input.npy, weight.npy, bias.npy, df.npy (the upstream gradient
fed to backward), output.npy, dinput.npy, dweight.npy, dbias.npy (NCHW,
OIHW, PyTorch's own results) and conv.json. To check a custom op, compute
output and gradients with it instead and save them under the same names.
"""
import argparse
import json
import os

import numpy as np
import torch


def pair(s):
    v = [int(t) for t in s.split(',')]
    return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--shape', default='2,2,7,8,3,3,2')
    ap.add_argument('--stride', default='2,3')
    ap.add_argument('--padding', default='0,0')
    ap.add_argument('--dilation', default='1,1')
    ap.add_argument('--groups', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--dtype', default='float32', choices=['float32', 'float64'])
    a = ap.parse_args()
    N, C, H, W, O, R, S = (int(t) for t in a.shape.split(','))
    torch.manual_seed(a.seed)
    dt = getattr(torch, a.dtype)
    conv = torch.nn.Conv2d(C, O, (R, S), stride=pair(a.stride),
                           padding=pair(a.padding), dilation=pair(a.dilation),
                           groups=a.groups, bias=True).to(dt)
    x = torch.empty(N, C, H, W, dtype=dt).uniform_(-1, 1).requires_grad_()
    out = conv(x)
    df = torch.empty_like(out).uniform_(-1, 1)
    out.backward(df)
    os.makedirs(a.dir, exist_ok=True)
    arrays = {'input': x, 'weight': conv.weight, 'bias': conv.bias, 'df': df,
              'output': out, 'dinput': x.grad, 'dweight': conv.weight.grad,
              'dbias': conv.bias.grad}
    for name, t in arrays.items():
        np.save(os.path.join(a.dir, name + '.npy'), t.detach().cpu().numpy())
    with open(os.path.join(a.dir, 'conv.json'), 'w') as f:
        json.dump({'stride': list(pair(a.stride)), 'padding': list(pair(a.padding)),
                   'dilation': list(pair(a.dilation)), 'groups': a.groups,
                   'layout': 'nchw'}, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
