import { manifestParameters } from './manifestParameters.js';
import type { RefineArgs } from './parseRefineArgs.js';
import type { RefinePlan } from './planRefine.js';
import { checkSameRun, reusableStages, type ReusableStage } from './resumeRun.js';

/**
 * A plan whose output directory holds its run already (`plan.recorded`): checks that the command
 * line makes the same run, then finds what can be kept: the valid files, and the chains that went
 * through all their stages.
 * @throws UsageError naming every difference from the recorded run
 */
export async function resumePlan(a: RefineArgs, plan: RefinePlan): Promise<RefinePlan> {
  const recorded = plan.recorded;
  if (!recorded) return plan;
  checkSameRun(plan.runId, recorded, {
    parameters: manifestParameters(a, plan),
    ...(plan.prompts ? { prompts: plan.prompts.map((q) => ({ index: q.index, prompt: q.prompt, seed: q.seed ?? plan.seed, overrides: q.overrides })) } : {}),
  });
  const reusable = await reusableStages(plan.outputDir, recorded);
  const complete = new Map<number, ReusableStage[]>();
  for (const chain of recorded.chains ?? []) {
    const job = plan.jobs.find((j) => j.variation === chain.variation && j.prompt?.index === chain.promptIndex);
    const kept = (chain.stages ?? []).map((s) => reusable.get(s.key));
    if (job && chain.complete && kept.length > 0 && kept.every((k) => k !== undefined)) complete.set(job.chain, kept as ReusableStage[]);
  }
  return { ...plan, resume: { reusable, complete } };
}
