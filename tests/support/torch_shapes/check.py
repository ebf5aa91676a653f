"""Runs a flash-nas PyTorch export against a shape-only stand-in for torch.

CI has no PyTorch, so this stand-in implements exactly the torch API the export
uses, on shapes instead of numbers: Conv2d, BatchNorm2d, Linear (parameter
counts as torch defines them), cat, narrow, pooling, add, mean. It checks that
the module builds, that every layer gets the channels and spatial sizes it
expects (convolutions, batch norms, concatenations and additions assert them),
that the logits are (1, classes), and that the parameter count equals
PARAMETERS (the workload's). Usage: python3 check.py EXPORT.py
"""
import sys
import types


class T:
    def __init__(self, *shape):
        self.shape = tuple(shape)

    def narrow(self, dim, start, length):
        assert 0 <= start and start + length <= self.shape[dim], (self.shape, dim, start, length)
        s = list(self.shape)
        s[dim] = length
        return T(*s)

    def __add__(self, other):
        assert self.shape == other.shape, ("add", self.shape, other.shape)
        return T(*self.shape)

    def mean(self, dim):
        return T(*[n for i, n in enumerate(self.shape) if i not in dim])

    def new_zeros(self, *shape):
        return T(*shape)


def cat(ts, dim):
    base = list(ts[0].shape)
    for t in ts[1:]:
        assert [n for i, n in enumerate(t.shape) if i != dim] == [n for i, n in enumerate(base) if i != dim], ("cat", [t.shape for t in ts])
    base[dim] = sum(t.shape[dim] for t in ts)
    return T(*base)


class P:
    def __init__(self, n):
        self.n = n

    def numel(self):
        return self.n


class Module:
    def __init__(self):
        self._children = []
        self._params = []

    def __setattr__(self, name, value):
        if isinstance(value, Module):
            self.__dict__.setdefault('_children', []).append(value)
        object.__setattr__(self, name, value)

    def parameters(self):
        yield from self._params
        for c in self._children:
            yield from c.parameters()

    def eval(self):
        return self

    def __call__(self, *args):
        return self.forward(*args)


class ModuleList(Module):
    def __init__(self):
        super().__init__()
        self.items = []

    def append(self, m):
        self.items.append(m)
        self._children.append(m)

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


def out_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


class Conv2d(Module):
    def __init__(self, cin, cout, k, stride=1, padding=0, groups=1, bias=True):
        super().__init__()
        assert cin % groups == 0 and cout % groups == 0
        self.a = (cin, cout, k, stride, padding)
        self._params = [P(cout * (cin // groups) * k * k)] + ([P(cout)] if bias else [])

    def forward(self, x):
        cin, cout, k, stride, padding = self.a
        n, c, h, w = x.shape
        assert c == cin, ("conv input channels", c, cin)
        return T(n, cout, out_size(h, k, stride, padding), out_size(w, k, stride, padding))


class BatchNorm2d(Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self._params = [P(c), P(c)]

    def forward(self, x):
        assert x.shape[1] == self.c, ("batch norm channels", x.shape, self.c)
        return T(*x.shape)


class Linear(Module):
    def __init__(self, cin, cout, bias=True):
        super().__init__()
        self.a = (cin, cout)
        self._params = [P(cin * cout)] + ([P(cout)] if bias else [])

    def forward(self, x):
        assert x.shape[1] == self.a[0], ("linear input", x.shape, self.a)
        return T(x.shape[0], self.a[1])


def avg_pool2d(x, k, stride, padding=0, count_include_pad=True):
    n, c, h, w = x.shape
    return T(n, c, out_size(h, k, stride, padding), out_size(w, k, stride, padding))


torch = types.ModuleType('torch')
torch.cat = cat
torch.zeros = lambda *shape: T(*shape)
nn = types.ModuleType('torch.nn')
nn.Module, nn.ModuleList, nn.Conv2d, nn.BatchNorm2d, nn.Linear = Module, ModuleList, Conv2d, BatchNorm2d, Linear
F = types.ModuleType('torch.nn.functional')
F.relu = F.relu6 = lambda t: T(*t.shape)
F.avg_pool2d = avg_pool2d
torch.nn = nn
nn.functional = F
sys.modules.update({'torch': torch, 'torch.nn': nn, 'torch.nn.functional': F})

source = open(sys.argv[1]).read()
module = types.ModuleType('export')
exec(compile(source, sys.argv[1], 'exec'), module.__dict__)
net = module.Net()
count = sum(p.numel() for p in net.parameters())
assert count == module.PARAMETERS, ('parameters', count, module.PARAMETERS)
x = T(1, *module.INPUT_SHAPE)
logits = net(x)
classes = module.LAYERS[-1]['cout']
assert logits.shape == (1, classes), ('logits', logits.shape)
print(f'ok {module.ARCH} parameters={count} logits={logits.shape}')
