import { parseArgs } from 'node:util';
import { type ModelAccount, modelAccount, type ZooVariant, zooModel, zooModels, zooPaperParams } from '@linearconv/core';
import { EXIT, type Io, UsageError } from '../io.js';
import { parsePositive, parseVariant } from '../args.js';
import { formatTable } from '../table.js';

export const paramsUsage = `linearconv params [--model ${zooModels.join('|')}] [--variant conv|full|lowrank] [--rank R] [--composition] [--json]

Parameter and cost accounting of the paper's CIFAR-10 models. With --model: one row per layer
with parameters and MACs and totals; without: every model as Conv, -Lr (full) and -LRr (low
rank, R = 10) next to the paper's figures. --composition adds the filter composition to FLOPs,
once per forward, as the paper's FLOP column does.`;

const variantLabel: Record<ZooVariant, string> = { conv: 'Conv', full: '-Lr (full)', lowRank: '-LRr (low rank)' };

export async function paramsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      variant: { type: 'string', default: 'conv' },
      rank: { type: 'string' },
      composition: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const variant = parseVariant(values.variant);
  const rank = parsePositive('rank', values.rank);
  if (rank !== undefined && variant !== 'lowRank') throw new UsageError('--rank applies to --variant lowrank only');
  const options = { countComposition: values.composition };

  if (values.model === undefined) {
    const rows = zooModels.flatMap((name) =>
      (['conv', 'full', 'lowRank'] as const).map((v) => {
        const params = modelAccount(zooModel(name, { variant: v }).nodes, options).total.params;
        return { model: name, variant: v, params, millions: round2(params / 1e6), paper: zooPaperParams[name][v] };
      }),
    );
    if (values.json) {
      io.out(JSON.stringify({ rank: 10, models: rows }));
    } else {
      io.out("The paper's CIFAR-10 models: trainable parameters (millions), ours next to the paper's (the paper's figures)\n");
      io.out(
        formatTable(
          ['model', 'variant', 'params', 'ours (M)', 'paper (M)', 'match'],
          rows.map((r) => [r.model, variantLabel[r.variant], r.params, r.millions.toFixed(2), r.paper.toFixed(2), r.millions === r.paper ? 'yes' : 'NO']),
        ),
      );
    }
    return EXIT.ok;
  }

  const model = zooModel(values.model, { variant, ...(rank !== undefined && { rank }) });
  const account = modelAccount(model.nodes, options);
  if (values.json) {
    io.out(
      JSON.stringify({
        model: model.name,
        variant: values.variant.toLowerCase(),
        ...(model.rank !== undefined && { rank: model.rank }),
        params: account.total.params,
        baselineParams: account.total.baselineParams,
        macs: account.total.macs,
        flops: account.total.flops,
        paperParamsMillions: model.rank === undefined || model.rank === 10 ? zooPaperParams[model.name][variant] : null,
        conventions: account.conventions,
        quirks: model.quirks,
        layers: account.layers.filter((l) => l.params > 0 || l.macs > 0),
      }),
    );
    return EXIT.ok;
  }
  io.out(formatLayers(`${model.name} ${variantLabel[variant]}${model.rank ? `, R = ${model.rank}` : ''}`, account));
  return EXIT.ok;
}

function formatLayers(title: string, account: ModelAccount): string {
  const layers = account.layers.filter((l) => l.params > 0 || l.macs > 0);
  const saving = (params: number, baseline: number) => (baseline === 0 ? '' : `${(100 * (1 - params / baseline)).toFixed(1)}%`);
  const table = formatTable(
    ['layer', 'op', 'params', 'as conv', 'saved', 'MACs', 'composition FLOPs'],
    [
      ...layers.map((l) => [
        l.name,
        l.linearConv ? 'linearconv' : l.op,
        l.params,
        l.baselineParams,
        l.linearConv ? saving(l.params, l.baselineParams) : '',
        l.macs,
        l.compositionFlops,
      ]),
      ['total', '', account.total.params, account.total.baselineParams, saving(account.total.params, account.total.baselineParams), account.total.macs, account.total.compositionFlops],
    ],
  );
  const notes = layers.flatMap((l) => l.notes.map((n) => `note: ${l.name}: ${n}`));
  const c = account.conventions;
  const conventions = [
    `params: ${c.paramsCount}`,
    `MACs: ${c.macsCount}; batch ${c.batch}`,
    `FLOPs = ${c.flopsPerMac}·MACs${c.biasCounted ? ' + bias adds' : ''}${c.compositionCounted ? ' + composition once per forward' : ' (composition not counted: at inference W is composed once)'} = ${account.total.flops}`,
  ];
  return [title, '', table, '', ...notes, ...conventions].join('\n');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
