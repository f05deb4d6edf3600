#!/usr/bin/env python3
"""conv2d.py: a NumPy conv2d with its backward, the kind a student writes,
saved for `convgrad gradcheck --load DIR`.

    python3 conv2d.py DIR [--dtype float32|float64] [--stride 2,3]
                          [--padding 0,0] [--dilation 1,1] [--seed 1]
                          [--bug NAME]

writes DIR/input.npy, weight.npy, bias.npy, df.npy (the upstream gradient
d f/d output), the results output.npy, dinput.npy, dweight.npy, dbias.npy,
and DIR/conv.json; then

    convgrad gradcheck --load DIR

checks every result against convgrad's float64 reference. --bug plants
one of a few classic mistakes (bias-batch-only, dweight-mean,
window-short, kernel-flipped) to see the diagnosis name it.
Layouts: input NCHW, weight OIHW, output and df NCHW.
"""
import argparse
import json
import os

import numpy as np


def out_size(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def window(xp, di, dj, geo, Ho, Wo):
    """The input pixels tap (di, dj) meets, for every output: (N, C, Ho, Wo)."""
    (sh, sw), _, (dh, dw) = geo
    h0, w0 = di * dh, dj * dw
    return xp[:, :, h0:h0 + sh * (Ho - 1) + 1:sh, w0:w0 + sw * (Wo - 1) + 1:sw]


def conv2d_forward(x, w, b, geo):
    """output[b,o,h,w] = bias[o] + sum_{c,di,dj}
    input[b,c,sh*h + dh*di - ph, sw*w + dw*dj - pw] * weight[o,c,di,dj]"""
    (sh, sw), (ph, pw), (dh, dw) = geo
    N, C, H, W = x.shape
    O, _, R, S = w.shape
    Ho, Wo = out_size(H, R, sh, ph, dh), out_size(W, S, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, O, Ho, Wo), dtype=x.dtype)
    for di in range(R):
        for dj in range(S):
            out += np.einsum('nchw,oc->nohw', window(xp, di, dj, geo, Ho, Wo),
                             w[:, :, di, dj])
    return out + b[None, :, None, None]


def conv2d_backward(x, w, df, geo, bug=None):
    """dinput, dweight, dbias for the upstream gradient df."""
    (sh, sw), (ph, pw), (dh, dw) = geo
    N, C, H, W = x.shape
    O, _, R, S = w.shape
    Ho, Wo = df.shape[2], df.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    dwt = np.zeros_like(w)
    for di in range(R):
        for dj in range(S):
            dwt[:, :, di, dj] = np.einsum('nohw,nchw->oc', df,
                                          window(xp, di, dj, geo, Ho, Wo))
            if bug == 'window-short' and di == R - 1:
                continue
            tap = w[:, :, R - 1 - di, S - 1 - dj] if bug == 'kernel-flipped' \
                else w[:, :, di, dj]
            h0, w0 = di * dh, dj * dw
            dxp[:, :, h0:h0 + sh * (Ho - 1) + 1:sh,
                w0:w0 + sw * (Wo - 1) + 1:sw] += np.einsum('nohw,oc->nchw',
                                                           df, tap)
    dx = dxp[:, :, ph:ph + H, pw:pw + W]
    db = df.sum(axis=(0, 2, 3))
    if bug == 'bias-batch-only':
        db = df[:, :, 0, 0].sum(axis=0)
    if bug == 'dweight-mean':
        dwt = dwt / N
    return dx, dwt, db


def pair(s):
    v = [int(t) for t in s.split(',')]
    return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--dtype', default='float64', choices=['float32', 'float64'])
    ap.add_argument('--shape', default='2,2,7,8,3,3,2',
                    help='N,C_in,H_in,W_in,C_out,R,S')
    ap.add_argument('--stride', default='2,3')
    ap.add_argument('--padding', default='0,0')
    ap.add_argument('--dilation', default='1,1')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--bug', choices=['bias-batch-only', 'dweight-mean',
                                      'window-short', 'kernel-flipped'])
    a = ap.parse_args()
    N, C, H, W, O, R, S = (int(t) for t in a.shape.split(','))
    geo = (pair(a.stride), pair(a.padding), pair(a.dilation))
    rng = np.random.default_rng(a.seed)
    dt = np.dtype(a.dtype)
    x = rng.uniform(-1, 1, (N, C, H, W)).astype(dt)
    w = rng.uniform(-1, 1, (O, C, R, S)).astype(dt)
    b = rng.uniform(-1, 1, (O,)).astype(dt)
    out = conv2d_forward(x, w, b, geo)
    df = rng.uniform(-1, 1, out.shape).astype(dt)
    dx, dwt, db = conv2d_backward(x, w, df, geo, a.bug)
    os.makedirs(a.dir, exist_ok=True)
    for name, arr in [('input', x), ('weight', w), ('bias', b), ('df', df),
                      ('output', out), ('dinput', dx), ('dweight', dwt),
                      ('dbias', db)]:
        np.save(os.path.join(a.dir, name + '.npy'), np.ascontiguousarray(arr))
    with open(os.path.join(a.dir, 'conv.json'), 'w') as f:
        json.dump({'stride': list(geo[0]), 'padding': list(geo[1]),
                   'dilation': list(geo[2]), 'groups': 1, 'layout': 'nchw'},
                  f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
