// A deployment's precision for GPU execution: a select (fp32 by default) whose other choices are
// disabled, with a hint saying why, while the chosen tier has no GPUs. The deploy wizard and the
// model page both use it; the API refuses the same combinations.
import { h } from './dom.js';

const CHOICES = [
  ['fp32', 'fp32 (default)'],
  ['tf32', 'tf32: TF32 tensor cores for float32 math'],
  ['fp16', 'fp16: half precision'],
  ['bf16', 'bf16: bfloat16'],
];

export function precisionField() {
  const select = h('select', { id: 'precision', 'aria-describedby': 'precision-hint' },
    CHOICES.map(([value, text]) => h('option', { value }, text)));
  const hint = h('p', { class: 'hint', id: 'precision-hint', 'aria-live': 'polite' });
  // Follows the chosen tier: without GPUs, fp32 is the only choice.
  const forTier = (tier) => {
    const gpus = Boolean(tier && tier.gpus > 0);
    for (const o of select.options) o.disabled = !gpus && o.value !== 'fp32';
    if (!gpus) select.value = 'fp32';
    hint.textContent = !tier ? ''
      : gpus ? 'How the GPU computes: tf32, fp16 and bf16 are faster and less exact than fp32. ' +
        'Changing it rolls the instances over. Instances on declared (simulated) GPUs run on the CPU, in fp32.'
        : `Only fp32: tier ${tier.name} has no GPUs, and the CPU computes in fp32.`;
  };
  return { select, forTier, elements: [h('label', { for: 'precision' }, 'Precision'), select, hint] };
}
