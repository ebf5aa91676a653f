//! The found network as code people run elsewhere: a PyTorch `nn.Module` that
//! builds exactly that architecture (the workload walker's layers and channel
//! reads, as the trainer wires them; docs/playground.md).

use crate::space::Architecture;
use crate::workload::{self, LayerKind, LayerReads, Piece, Role, Skip, INPUT, VOID};

/// A Python string literal of any text: JSON's escaping is valid Python, so a
/// name cannot close the string or inject code.
fn py_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn piece(p: &Piece) -> String {
    let layer = match p.layer {
        INPUT => "INPUT".to_string(),
        VOID => "VOID".to_string(),
        l => l.to_string(),
    };
    format!("({layer}, {}, {})", p.start, p.len)
}

/// A self-contained Python module: `Net()` is the network of `arch`.
pub fn pytorch(arch: &Architecture, link: &str) -> String {
    let layers = workload::layer_reads(arch);
    let family = arch.frame().family.name();
    let mut rows = String::new();
    for LayerReads { spec, pieces, shortcuts } in &layers {
        let shortcut = shortcuts.first();
        let kind = match spec.kind {
            LayerKind::Conv => "conv",
            LayerKind::Depthwise => "depthwise",
            LayerKind::Linear => "linear",
            LayerKind::AvgPool => "avgpool",
            LayerKind::GlobalAvgPool => "gap",
            LayerKind::Sum => "sum",
            LayerKind::Zero => "zero",
        };
        let role = match spec.role {
            Role::Projection => "projection",
            Role::Project => "project",
            Role::Conv2 => "conv2",
            Role::Stem => "stem",
            Role::EdgePool => "edge_pool",
            Role::ReduceB => "reduce_b",
            _ => "plain",
        };
        let shortcut = match shortcut {
            None => "None".to_string(),
            Some(Skip::Identity(p)) => format!("(\"identity\", {})", piece(p)),
            Some(Skip::Projection(p)) => format!("(\"projection\", {})", piece(p)),
        };
        let pieces: Vec<String> = pieces.iter().map(piece).collect();
        // A DAG cell's node sums its edges: every additive input.
        let terms = if spec.kind == LayerKind::Sum {
            let t: Vec<String> = shortcuts
                .iter()
                .map(|(Skip::Identity(p) | Skip::Projection(p))| piece(p))
                .collect();
            format!(", terms=[{}]", t.join(", "))
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "    dict(name={}, kind=\"{kind}\", role=\"{role}\", cin={}, cout={}, k={}, stride={}, groups={}, bias={}, bn={}, pieces=[{}], shortcut={shortcut}{terms}, out=({}, {}, {})),\n",
            py_str(&spec.name()),
            spec.input.c,
            spec.output.c,
            spec.kernel,
            spec.stride,
            spec.groups,
            if spec.bias { "True" } else { "False" },
            spec.bn_channels,
            pieces.join(", "),
            spec.output.c,
            spec.output.h,
            spec.output.w,
        ));
    }
    let (c, h, w) =
        layers.first().map_or((0, 0, 0), |l| (l.spec.input.c, l.spec.input.h, l.spec.input.w));
    let params = workload::totals(arch.frame(), arch.cells()).params;
    format!(
        r#""""A network found by flash-nas, as a PyTorch module.

Architecture: {arch_doc}
Link:         {link_doc}

Generated from the same layer walk that NN-Degree, the hardware models and the
trainer use: every layer, the channels it reads and its shortcut are listed in
LAYERS. Dense cells are pre-activation (BN-ReLU-conv on the concatenated input);
res and wres are post-activation with the second ReLU after the add; mobile uses
ReLU6 and a linear projection; nb201 (NAS-Bench-201) is ReLU-conv-BN on every edge
and in the reduction blocks, each node the sum of its edges (VOID: zeros).
Parameters: {params} (conv, linear and BN weights).
"""
import torch
from torch import nn
import torch.nn.functional as F

ARCH = {arch}
LINK = {link}
FAMILY = "{family}"
INPUT_SHAPE = ({c}, {h}, {w})
PARAMETERS = {params}
INPUT = -1
VOID = -2
LAYERS = [
{rows}]


class Net(nn.Module):
    def __init__(self, layers=LAYERS, family=FAMILY):
        super().__init__()
        self.layers, self.family = layers, family
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        self.conv_of, self.norm_of = {{}}, {{}}
        for i, l in enumerate(layers):
            if l["kind"] in ("conv", "depthwise"):
                self.conv_of[i] = len(self.convs)
                self.convs.append(nn.Conv2d(l["cin"], l["cout"], l["k"], stride=l["stride"], padding=l["k"] // 2, groups=l["groups"], bias=l["bias"]))
            if l["bn"] > 0:
                self.norm_of[i] = len(self.norms)
                self.norms.append(nn.BatchNorm2d(l["bn"]))
            if l["kind"] == "linear":
                self.classifier = nn.Linear(l["cin"], l["cout"], bias=l["bias"])

    def act(self, t):
        return F.relu6(t) if self.family == "mobile" else F.relu(t)

    def dag_forward(self, x):
        outputs = [None] * len(self.layers)
        projection, pooled = None, None

        def read(p, l):
            if p[0] == VOID:
                return x.new_zeros(x.shape[0], p[2], l["out"][1], l["out"][2])
            t = x if p[0] == INPUT else outputs[p[0]]
            return t if p[1] == 0 and p[2] == t.shape[1] else t.narrow(1, p[1], p[2])

        for i, l in enumerate(self.layers):
            norm = (lambda t: self.norms[self.norm_of[i]](t)) if i in self.norm_of else (lambda t: t)
            kind, role = l["kind"], l["role"]
            if kind == "avgpool" and role == "edge_pool":
                outputs[i] = F.avg_pool2d(read(l["pieces"][0], l), 3, 1, 1, count_include_pad=False)
            elif kind == "avgpool":
                outputs[i] = F.avg_pool2d(read(l["pieces"][0], l), 2, 2)
            elif kind == "sum":
                terms = [read(p, l) for p in l["terms"] if p[0] != VOID]
                total = terms[0] if terms else read((VOID, 0, l["cout"]), l)
                for t in terms[1:]:
                    total = total + t
                outputs[i] = total
            elif kind == "zero":
                pass  # a `none` edge: the benchmark computes input * 0, which no node needs
            elif kind == "gap":
                pooled = F.relu(norm(read(l["pieces"][0], l))).mean(dim=(2, 3))
            elif kind == "linear":
                return self.classifier(pooled)
            else:
                conv = self.convs[self.conv_of[i]]
                if role == "stem":
                    outputs[i] = norm(conv(read(l["pieces"][0], l)))
                elif role == "projection":
                    # The reduction's shortcut reads the 2x2 pooling just before it.
                    projection = conv(outputs[i - 1])
                else:
                    y = norm(conv(F.relu(read(l["pieces"][0], l))))
                    outputs[i] = y + projection if role == "reduce_b" else y
        raise RuntimeError("the layer list ends with the classifier")

    def forward(self, x):
        if self.family == "nb201":
            return self.dag_forward(x)
        outputs = [None] * len(self.layers)
        state = {{"pooled": None, "projection": None}}

        def piece(p):
            t = x if p[0] == INPUT else outputs[p[0]]
            return t if p[1] == 0 and p[2] == t.shape[1] else t.narrow(1, p[1], p[2])

        def gather(pieces):
            return piece(pieces[0]) if len(pieces) == 1 else torch.cat([piece(p) for p in pieces], 1)

        def shortcut(skip, l):
            if skip[0] == "projection":
                t, state["projection"] = state["projection"], None
                return t
            t = piece(skip[1])
            stride = -(-t.shape[2] // l["out"][1])
            if stride > 1:
                t = F.avg_pool2d(t, 1, stride)
            if t.shape[1] < l["cout"]:
                n, c, h, w = t.shape
                t = torch.cat([t, t.new_zeros(n, l["cout"] - c, h, w)], 1)
            return t

        for i, l in enumerate(self.layers):
            norm = (lambda t: self.norms[self.norm_of[i]](t)) if i in self.norm_of else (lambda t: t)
            if l["kind"] == "avgpool":
                # The tensors this pool reads are read again only at the new resolution.
                for p in l["pieces"]:
                    if p[0] != INPUT:
                        outputs[p[0]] = F.avg_pool2d(outputs[p[0]], 2, 2)
            elif l["kind"] == "gap":
                t = gather(l["pieces"])
                t = self.act(norm(t)) if i in self.norm_of else t
                state["pooled"] = t.mean(dim=(2, 3))
            elif l["kind"] == "linear":
                return self.classifier(state["pooled"])
            else:
                conv = self.convs[self.conv_of[i]]
                t = gather(l["pieces"])
                if self.family == "dense":
                    out = conv(self.act(norm(t)) if i in self.norm_of else t)
                else:
                    y = norm(conv(t))
                    if l["role"] == "projection":
                        state["projection"] = y
                        continue
                    if l["role"] in ("project", "conv2") and l["shortcut"] is not None:
                        y = y + shortcut(l["shortcut"], l)
                    out = y if l["role"] == "project" else self.act(y)
                outputs[i] = out
        raise RuntimeError("the layer list ends with the classifier")


if __name__ == "__main__":
    net = Net().eval()
    count = sum(p.numel() for p in net.parameters())
    assert count == PARAMETERS, (count, PARAMETERS)
    print(ARCH, "parameters", count, "logits", tuple(net(torch.zeros(1, *INPUT_SHAPE)).shape))
"#,
        arch_doc = arch.to_string().replace('\\', "/").replace("\"\"\"", "'''"),
        link_doc = link.replace('\\', "/").replace("\"\"\"", "'''"),
        arch = py_str(&arch.to_string()),
        link = py_str(link),
    )
}
