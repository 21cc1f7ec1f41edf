# The LinearConv layers and the six CIFAR model classes of the authors' repository
# kkahatapitiya/LinearConv (models/*_xcnn.py), vendored so that fixtures are made with their
# exact state_dict layout and forward semantics.
#
# MIT License
#
# Copyright (c) 2020 Kumara Kahatapitiya
#
# Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal
# in the Software without restriction, including without limitation the rights
# to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
# copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.
#
# Changes from the original files, none of which changes a state_dict key, a shape or an
# eval-mode output:
# - CPU only (`.to(device)` removed); xavier_uniform -> xavier_uniform_.
# - xCNN's magnitude-pruning schedule (counter, threshold, prune_step) is training-only and
#   left out; its forward keeps the model files' composition `linear_weights * mask`, and
#   still turns the bool `mask` into a float one on the first forward, as theirs does (so a
#   checkpoint saved after training holds a float32 mask, one saved before a bool mask).
# - The six model files each carry their own copy of xCNN / xCNNlow; the copies differ only in
#   the padding default (1 in base, vgg, allconv and mobilenetv2; 0 in resnet and resnext) and
#   in whether groups is applied (resnext, mobilenetv2). Here one class per behaviour:
#   `xcnn_classes(padding_default, grouped)`.
# - The global `rank` (rank ratio) becomes a constructor argument `ratio`; the input channels
#   and class count of Base/VGG become arguments (defaults as theirs: 3 and 10).
# - AllConv calls F.dropout without `training=self.training`, so their dropout also runs in
#   eval mode; here it follows the module's mode (eval: no dropout), as a framework's layers do.
# - The training scripts around the classes (data loading, loops, FLOP counters) are left out.

import torch
import torch.nn as nn
import torch.nn.functional as F


def xcnn_classes(padding_default, grouped):
    """The xCNN (sparse, with mask) and xCNNlow (rank ratio) of one model file."""

    class xCNN(nn.Module):
        def __init__(self, channels, filters, kernel_size, padding=padding_default, stride=1, groups=1, bias=True):
            super().__init__()
            self.filters = filters
            self.times = 2  # ratio 1/2
            self.kernel_size = kernel_size
            self.channels = channels // groups
            self.padding = padding
            self.stride = stride
            self.biasTrue = bias
            self.groups = groups if grouped else 1
            self.threshold = 0
            self.conv_weights = nn.Parameter(torch.Tensor(filters // self.times, self.channels if grouped else channels, kernel_size, kernel_size))
            self.linear_weights = nn.Parameter(torch.Tensor(filters - filters // self.times, filters // self.times))
            torch.nn.init.xavier_uniform_(self.conv_weights)
            self.linear_weights.data.uniform_(-0.1, 0.1)
            if self.biasTrue:
                self.bias = nn.Parameter(torch.Tensor(filters))
                self.bias.data.uniform_(-0.1, 0.1)
            self.mask = nn.Parameter(torch.abs(self.linear_weights) > self.threshold, requires_grad=False)
            self.mask.requires_grad = False

        def forward(self, input):
            self.mask = nn.Parameter(self.mask.type(self.linear_weights.dtype), requires_grad=False)
            temp = self.linear_weights * self.mask
            self.correlated_weights = torch.mm(temp, self.conv_weights.reshape(self.filters // self.times, -1)).reshape(
                self.filters - self.filters // self.times, self.channels, self.kernel_size, self.kernel_size
            )
            weights = torch.cat((self.conv_weights, self.correlated_weights), dim=0)
            return F.conv2d(input, weights, bias=self.bias if self.biasTrue else None, padding=self.padding, stride=self.stride, groups=self.groups)

    class xCNNlow(nn.Module):
        def __init__(self, channels, filters, kernel_size, padding=padding_default, stride=1, groups=1, rank=1, bias=True):
            super().__init__()
            self.filters = filters
            self.times = 2
            self.kernel_size = kernel_size
            self.channels = channels // groups
            self.padding = padding
            self.stride = stride
            self.biasTrue = bias
            self.rank = rank
            self.groups = groups if grouped else 1
            p = filters // self.times
            self.conv_weights = nn.Parameter(torch.Tensor(p, self.channels if grouped else channels, kernel_size, kernel_size))
            self.column_weights = nn.Parameter(torch.Tensor(filters - p, int(p * self.rank)))
            self.row_weights = nn.Parameter(torch.Tensor(int(p * self.rank), p))
            torch.nn.init.xavier_uniform_(self.conv_weights)
            self.column_weights.data.uniform_(-0.1, 0.1)
            self.row_weights.data.uniform_(-0.1, 0.1)
            if self.biasTrue:
                self.bias = nn.Parameter(torch.Tensor(filters))
                self.bias.data.uniform_(-0.1, 0.1)

        def forward(self, input):
            p = self.filters // self.times
            self.correlated_weights = torch.mm(self.column_weights, torch.mm(self.row_weights, self.conv_weights.reshape(p, -1))).reshape(
                self.filters - p, self.channels, self.kernel_size, self.kernel_size
            )
            weights = torch.cat((self.conv_weights, self.correlated_weights), dim=0)
            return F.conv2d(input, weights, bias=self.bias if self.biasTrue else None, padding=self.padding, stride=self.stride, groups=self.groups)

    return xCNN, xCNNlow


def _module_level(suffix, classes):
    # Named as the module attribute they are bound to, so that torch.save(model) can pickle them.
    for cls in classes:
        cls.__qualname__ = cls.__name__ + suffix
    return classes


# base_xcnn.py, vgg_xcnn.py, allconv_xcnn.py: padding 1 by default, groups not applied.
xCNN, xCNNlow = _module_level('', xcnn_classes(padding_default=1, grouped=False))
# resnet_xcnn.py: padding 0 by default.
xCNN_resnet, xCNNlow_resnet = _module_level('_resnet', xcnn_classes(padding_default=0, grouped=False))
# resnext_xcnn.py: padding 0, grouped.
xCNN_resnext, xCNNlow_resnext = _module_level('_resnext', xcnn_classes(padding_default=0, grouped=True))
# mobilenetv2_xcnn.py: padding 1, grouped.
xCNN_mobilenetv2, xCNNlow_mobilenetv2 = _module_level('_mobilenetv2', xcnn_classes(padding_default=1, grouped=True))


# ---- base_xcnn.py and vgg_xcnn.py (class NET, their cfg table) -------------------------------
cfg = {
    'VGG11n': [(64, 3, 'N'), 'M', (128, 3, 'N'), 'M', (256, 3, 'N'), (256, 3, 'N'), 'M', (512, 3, 'N'), (512, 3, 'N'), 'M', (512, 3, 'N'), (512, 3, 'N'), 'M'],
    'VGG11x': [(64, 3, 'X'), 'M', (128, 3, 'X'), 'M', (256, 3, 'X'), (256, 3, 'X'), 'M', (512, 3, 'X'), (512, 3, 'X'), 'M', (512, 3, 'X'), (512, 3, 'X'), 'M'],
    'VGG11xl': [(64, 3, 'XL'), 'M', (128, 3, 'XL'), 'M', (256, 3, 'XL'), (256, 3, 'XL'), 'M', (512, 3, 'XL'), (512, 3, 'XL'), 'M', (512, 3, 'XL'), (512, 3, 'XL'), 'M'],
    'BASE1n': [(32, 3, 'N'), 'M', (64, 3, 'N'), 'M', (128, 3, 'N'), 'M', (256, 3, 'N'), 'M'],
    'BASE1x': [(32, 3, 'X'), 'M', (64, 3, 'X'), 'M', (128, 3, 'X'), 'M', (256, 3, 'X'), 'M'],
    'BASE1xl': [(32, 3, 'XL'), 'M', (64, 3, 'XL'), 'M', (128, 3, 'XL'), 'M', (256, 3, 'XL'), 'M'],
}


class NET(nn.Module):
    def __init__(self, version, ratio=1, in_channels=3, classes=10):
        super().__init__()
        self.ratio = ratio
        self.in_channels = in_channels
        self.index = 0
        self.feat = []
        while self.index < len(cfg[version]):
            self.feat.append(self._make_layers(cfg[version]))
        self.feat = nn.Sequential(*self.feat)
        self.fc = nn.Linear(1024 if version.startswith('BASE') else 512, classes)

    def forward(self, x):
        out = x
        for layer in self.feat:
            out = layer(out)
        out = out.view(out.size(0), -1)
        return self.fc(out)

    def _make_layers(self, cfg):
        layers = []
        for x in cfg[self.index:]:
            if x == 'M':
                self.index += 1
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                return nn.Sequential(*layers)
            self.index += 1
            F_, K, Ltype = x
            if Ltype == 'X':
                layers += [xCNN(self.in_channels, F_, K), nn.BatchNorm2d(F_), nn.ReLU(inplace=True)]
            elif Ltype == 'XL':
                layers += [xCNNlow(self.in_channels, F_, K, rank=self.ratio), nn.BatchNorm2d(F_), nn.ReLU(inplace=True)]
            elif Ltype == 'N':
                layers += [nn.Conv2d(self.in_channels, F_, kernel_size=K, padding=K // 2), nn.BatchNorm2d(F_), nn.ReLU(inplace=True)]
            self.in_channels = F_


# ---- allconv_xcnn.py ----------------------------------------------------------------------
class AllConvNet(nn.Module):
    def __init__(self, cfg, input_size=3, n_classes=10, ratio=1):
        super().__init__()
        if cfg == 'CNN':
            self.conv1 = nn.Conv2d(input_size, 96, 3, padding=1)
            self.conv2 = nn.Conv2d(96, 96, 3, padding=1)
            self.conv3 = nn.Conv2d(96, 96, 3, padding=1, stride=2)
            self.conv4 = nn.Conv2d(96, 192, 3, padding=1)
            self.conv5 = nn.Conv2d(192, 192, 3, padding=1)
            self.conv6 = nn.Conv2d(192, 192, 3, padding=1, stride=2)
            self.conv7 = nn.Conv2d(192, 192, 3, padding=1)
            self.conv8 = nn.Conv2d(192, 192, 1)
            self.class_conv = nn.Conv2d(192, n_classes, 1)
        elif cfg == 'xCNN':
            self.conv1 = xCNN(input_size, 96, 3, padding=1)
            self.conv2 = xCNN(96, 96, 3, padding=1)
            self.conv3 = xCNN(96, 96, 3, padding=1, stride=2)
            self.conv4 = xCNN(96, 192, 3, padding=1)
            self.conv5 = xCNN(192, 192, 3, padding=1)
            self.conv6 = xCNN(192, 192, 3, padding=1, stride=2)
            self.conv7 = xCNN(192, 192, 3, padding=1)
            self.conv8 = xCNN(192, 192, 1)
            self.class_conv = nn.Conv2d(192, n_classes, 1)
        elif cfg == 'xCNNlow':
            self.conv1 = xCNNlow(input_size, 96, 3, padding=1, rank=ratio)
            self.conv2 = xCNNlow(96, 96, 3, padding=1, rank=ratio)
            self.conv3 = xCNNlow(96, 96, 3, padding=1, stride=2, rank=ratio)
            self.conv4 = xCNNlow(96, 192, 3, padding=1, rank=ratio)
            self.conv5 = xCNNlow(192, 192, 3, padding=1, rank=ratio)
            self.conv6 = xCNNlow(192, 192, 3, padding=1, stride=2, rank=ratio)
            self.conv7 = xCNNlow(192, 192, 3, padding=1, rank=ratio)
            self.conv8 = xCNNlow(192, 192, 1, rank=ratio)
            self.class_conv = nn.Conv2d(192, n_classes, 1)

    def forward(self, x):
        x_drop = F.dropout(x, .2, training=self.training)
        conv1_out = F.relu(self.conv1(x_drop))
        conv2_out = F.relu(self.conv2(conv1_out))
        conv3_out = F.relu(self.conv3(conv2_out))
        conv3_out_drop = F.dropout(conv3_out, .5, training=self.training)
        conv4_out = F.relu(self.conv4(conv3_out_drop))
        conv5_out = F.relu(self.conv5(conv4_out))
        conv6_out = F.relu(self.conv6(conv5_out))
        conv6_out_drop = F.dropout(conv6_out, .5, training=self.training)
        conv7_out = F.relu(self.conv7(conv6_out_drop))
        conv8_out = F.relu(self.conv8(conv7_out))
        class_out = F.relu(self.class_conv(conv8_out))
        pool_out = F.adaptive_avg_pool2d(class_out, 1)
        pool_out.squeeze_(-1)
        pool_out.squeeze_(-1)
        return pool_out


# ---- resnet_xcnn.py (ResNet18) ------------------------------------------------------------
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1, cfg='CNN', ratio=1):
        super().__init__()
        self.cfg = cfg
        self.bn1 = nn.BatchNorm2d(planes)
        self.bn2 = nn.BatchNorm2d(planes)
        if self.cfg == 'CNN':
            self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
            self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        elif self.cfg == 'xCNN':
            self.conv1 = xCNN_resnet(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
            self.conv2 = xCNN_resnet(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        elif self.cfg == 'xCNNlow':
            self.conv1 = xCNNlow_resnet(in_planes, planes, kernel_size=3, stride=stride, padding=1, rank=ratio, bias=False)
            self.conv2 = xCNNlow_resnet(planes, planes, kernel_size=3, stride=1, padding=1, rank=ratio, bias=False)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            if self.cfg == 'CNN':
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(self.expansion * planes))
            elif self.cfg == 'xCNN':
                self.shortcut = nn.Sequential(xCNN_resnet(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(self.expansion * planes))
            elif self.cfg == 'xCNNlow':
                self.shortcut = nn.Sequential(
                    xCNNlow_resnet(in_planes, self.expansion * planes, kernel_size=1, stride=stride, rank=ratio, bias=False), nn.BatchNorm2d(self.expansion * planes)
                )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10, cfg='CNN', ratio=1):
        super().__init__()
        self.in_planes = 64
        self.cfg = cfg
        self.ratio = ratio
        if self.cfg == 'CNN':
            self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        elif self.cfg == 'xCNN':
            self.conv1 = xCNN_resnet(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        elif self.cfg == 'xCNNlow':
            self.conv1 = xCNNlow_resnet(3, 64, kernel_size=3, stride=1, padding=1, rank=ratio, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, 64, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 256, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 512, num_blocks[3], stride=2)
        self.linear = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride, self.cfg, self.ratio))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.layer4(out)
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        return self.linear(out)


def ResNet18(cfg, ratio=1):
    return ResNet(BasicBlock, [2, 2, 2, 2], cfg=cfg, ratio=ratio)


# ---- resnext_xcnn.py (ResNeXt29_2x64d) ------------------------------------------------------
class Block(nn.Module):
    '''Grouped convolution block.'''
    expansion = 2

    def __init__(self, in_planes, cardinality=32, bottleneck_width=4, stride=1, cfg='CNN', ratio=1):
        super().__init__()
        group_width = cardinality * bottleneck_width
        self.cfg = cfg
        self.bn1 = nn.BatchNorm2d(group_width)
        self.bn2 = nn.BatchNorm2d(group_width)
        self.bn3 = nn.BatchNorm2d(self.expansion * group_width)
        if self.cfg == 'CNN':
            self.conv1 = nn.Conv2d(in_planes, group_width, kernel_size=1, bias=False)
            self.conv2 = nn.Conv2d(group_width, group_width, kernel_size=3, stride=stride, padding=1, groups=cardinality, bias=False)
            self.conv3 = nn.Conv2d(group_width, self.expansion * group_width, kernel_size=1, bias=False)
        elif self.cfg == 'xCNN':
            self.conv1 = xCNN_resnext(in_planes, group_width, kernel_size=1, bias=False)
            self.conv2 = xCNN_resnext(group_width, group_width, kernel_size=3, stride=stride, padding=1, groups=cardinality, bias=False)
            self.conv3 = xCNN_resnext(group_width, self.expansion * group_width, kernel_size=1, bias=False)
        elif self.cfg == 'xCNNlow':
            self.conv1 = xCNNlow_resnext(in_planes, group_width, kernel_size=1, rank=ratio, bias=False)
            self.conv2 = xCNNlow_resnext(group_width, group_width, kernel_size=3, stride=stride, padding=1, groups=cardinality, rank=ratio, bias=False)
            self.conv3 = xCNNlow_resnext(group_width, self.expansion * group_width, kernel_size=1, rank=ratio, bias=False)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * group_width:
            if self.cfg == 'CNN':
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, self.expansion * group_width, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(self.expansion * group_width))
            elif self.cfg == 'xCNN':
                self.shortcut = nn.Sequential(xCNN_resnext(in_planes, self.expansion * group_width, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(self.expansion * group_width))
            elif self.cfg == 'xCNNlow':
                self.shortcut = nn.Sequential(
                    xCNNlow_resnext(in_planes, self.expansion * group_width, kernel_size=1, stride=stride, rank=ratio, bias=False), nn.BatchNorm2d(self.expansion * group_width)
                )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResNeXt(nn.Module):
    def __init__(self, num_blocks, cardinality, bottleneck_width, num_classes=10, cfg='CNN', ratio=1):
        super().__init__()
        self.cfg = cfg
        self.ratio = ratio
        self.cardinality = cardinality
        self.bottleneck_width = bottleneck_width
        self.in_planes = 64
        # Their LinearConv stem is commented out: the 1x1 stem stays a plain conv in every cfg.
        self.conv1 = nn.Conv2d(3, 64, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(num_blocks[0], 1)
        self.layer2 = self._make_layer(num_blocks[1], 2)
        self.layer3 = self._make_layer(num_blocks[2], 2)
        self.linear = nn.Linear(cardinality * bottleneck_width * 8, num_classes)

    def _make_layer(self, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(Block(self.in_planes, self.cardinality, self.bottleneck_width, stride, cfg=self.cfg, ratio=self.ratio))
            self.in_planes = Block.expansion * self.cardinality * self.bottleneck_width
        self.bottleneck_width *= 2
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = F.avg_pool2d(out, 8)
        out = out.view(out.size(0), -1)
        return self.linear(out)


def ResNeXt29_2x64d(cfg, ratio=1):
    return ResNeXt(num_blocks=[3, 3, 3], cardinality=2, bottleneck_width=64, cfg=cfg, ratio=ratio)


# ---- mobilenetv2_xcnn.py ------------------------------------------------------------------
class MBlock(nn.Module):
    '''expand + depthwise + pointwise (their class name is Block)'''

    def __init__(self, in_planes, out_planes, expansion, stride, cfg='CNN', ratio=1):
        super().__init__()
        self.stride = stride
        planes = expansion * in_planes
        self.bn1 = nn.BatchNorm2d(planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.bn3 = nn.BatchNorm2d(out_planes)
        if cfg == 'CNN':
            self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, stride=1, padding=0, bias=False)
            self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, groups=planes, bias=False)
            self.conv3 = nn.Conv2d(planes, out_planes, kernel_size=1, stride=1, padding=0, bias=False)
        elif cfg == 'xCNN':
            self.conv1 = xCNN_mobilenetv2(in_planes, planes, kernel_size=1, stride=1, padding=0, bias=False)
            self.conv2 = xCNN_mobilenetv2(planes, planes, kernel_size=3, stride=stride, padding=1, groups=planes, bias=False)
            self.conv3 = xCNN_mobilenetv2(planes, out_planes, kernel_size=1, stride=1, padding=0, bias=False)
        elif cfg == 'xCNNlow':
            self.conv1 = xCNNlow_mobilenetv2(in_planes, planes, kernel_size=1, stride=1, padding=0, rank=ratio, bias=False)
            self.conv2 = xCNNlow_mobilenetv2(planes, planes, kernel_size=3, stride=stride, padding=1, groups=planes, rank=ratio, bias=False)
            self.conv3 = xCNNlow_mobilenetv2(planes, out_planes, kernel_size=1, stride=1, padding=0, rank=ratio, bias=False)
        self.shortcut = nn.Sequential()
        if stride == 1 and in_planes != out_planes:
            if cfg == 'CNN':
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=1, padding=0, bias=False), nn.BatchNorm2d(out_planes))
            elif cfg == 'xCNN':
                self.shortcut = nn.Sequential(xCNN_mobilenetv2(in_planes, out_planes, kernel_size=1, stride=1, padding=0, bias=False), nn.BatchNorm2d(out_planes))
            elif cfg == 'xCNNlow':
                self.shortcut = nn.Sequential(xCNNlow_mobilenetv2(in_planes, out_planes, kernel_size=1, stride=1, padding=0, rank=ratio, bias=False), nn.BatchNorm2d(out_planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return out + self.shortcut(x) if self.stride == 1 else out


class MobileNetV2(nn.Module):
    # (expansion, out_planes, num_blocks, stride)
    cfgx = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes=10, cfg='CNN', ratio=1):
        super().__init__()
        self.cfg = cfg
        self.ratio = ratio
        self.bn1 = nn.BatchNorm2d(32)
        self.layers = self._make_layers(in_planes=32)
        self.bn2 = nn.BatchNorm2d(1280)
        self.linear = nn.Linear(1280, num_classes)
        if cfg == 'CNN':
            self.conv1 = nn.Conv2d(3, 32, kernel_size=3, stride=1, padding=1, bias=False)
            self.conv2 = nn.Conv2d(320, 1280, kernel_size=1, stride=1, padding=0, bias=False)
        elif cfg == 'xCNN':
            self.conv1 = xCNN_mobilenetv2(3, 32, kernel_size=3, stride=1, padding=1, bias=False)
            self.conv2 = xCNN_mobilenetv2(320, 1280, kernel_size=1, stride=1, padding=0, bias=False)
        elif cfg == 'xCNNlow':
            self.conv1 = xCNNlow_mobilenetv2(3, 32, kernel_size=3, stride=1, padding=1, rank=ratio, bias=False)
            self.conv2 = xCNNlow_mobilenetv2(320, 1280, kernel_size=1, stride=1, padding=0, rank=ratio, bias=False)

    def _make_layers(self, in_planes):
        layers = []
        for expansion, out_planes, num_blocks, stride in self.cfgx:
            strides = [stride] + [1] * (num_blocks - 1)
            for stride in strides:
                layers.append(MBlock(in_planes, out_planes, expansion, stride, self.cfg, self.ratio))
                in_planes = out_planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layers(out)
        out = F.relu(self.bn2(self.conv2(out)))
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        return self.linear(out)


def authors_model(arch, variant, ratio=0.5, in_channels=3, classes=10):
    """One of the six, by this project's names: arch in base, vgg11, allconv, resnet18,
    resnext29, mobilenetv2; variant conv (their 'CNN'/'n'), full ('xCNN'/'x'), lowRank ('xCNNlow'/'xl')."""
    cfg_name = {'conv': 'CNN', 'full': 'xCNN', 'lowRank': 'xCNNlow'}[variant]
    suffix = {'conv': 'n', 'full': 'x', 'lowRank': 'xl'}[variant]
    if arch == 'base':
        return NET('BASE1' + suffix, ratio=ratio, in_channels=in_channels, classes=classes)
    if arch == 'vgg11':
        return NET('VGG11' + suffix, ratio=ratio, in_channels=in_channels, classes=classes)
    if arch == 'allconv':
        return AllConvNet(cfg_name, input_size=in_channels, n_classes=classes, ratio=ratio)
    if arch == 'resnet18':
        return ResNet18(cfg_name, ratio=ratio)
    if arch == 'resnext29':
        return ResNeXt29_2x64d(cfg_name, ratio=ratio)
    if arch == 'mobilenetv2':
        return MobileNetV2(cfg=cfg_name, ratio=ratio)
    raise ValueError(arch)
