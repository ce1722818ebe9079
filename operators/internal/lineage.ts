import { isStageOutput, type ImageInput, type StageLineage, type StageOutput } from '../StageResult.js';

/** Whether this pipeline created the image a stage output names. */
export function ownsImage(output: StageOutput): boolean {
  return output.ok || output.inputCreated;
}

/** The image name an input refers to. */
export function imageNameOf(input: ImageInput): string {
  return typeof input === 'string' ? input : input.imageName;
}

/** Lineage and created-list of an image produced from `input`. */
export function descend(input: ImageInput): { lineage: StageLineage; created: string[] } {
  if (!isStageOutput(input)) return { lineage: { chain: [input] }, created: [] };
  const src = input;
  const lineage: StageLineage = { chain: [...src.lineage.chain, src.imageName] };
  if (src.lineage.prompt !== undefined) lineage.prompt = src.lineage.prompt;
  const base = src.stage === 'generateBase' && src.ok ? src.imageName : src.lineage.base;
  if (base !== undefined) lineage.base = base;
  const refined = src.stage === 'refine' && src.ok ? [...(src.lineage.refined ?? []), src.imageName] : src.lineage.refined;
  if (refined !== undefined) lineage.refined = [...refined];
  const created = ownsImage(src) ? [...src.created, src.imageName] : [...src.created];
  return { lineage, created };
}

/** Lineage of the input image itself (for a fallback that passes it through). */
export function lineageOf(input: ImageInput): { lineage: StageLineage; created: string[]; owned: boolean; board: string | null } {
  if (!isStageOutput(input)) return { lineage: { chain: [] }, created: [], owned: false, board: null };
  return {
    lineage: structuredClone(input.lineage),
    created: [...input.created],
    owned: ownsImage(input),
    board: input.board,
  };
}
