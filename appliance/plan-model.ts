// The model an appliance gets: found by the launcher (in the model store, or a file named with
// --model) and handed to the Plan as a fact, so the Plan stays pure. One that is needed and
// missing, or one that cannot reach the chosen way, is a Plan error with what to do. Podman binds the
// file read-only; QEMU passes it as a read-only drive that the guest's init copies into memory; WSL2
// and Lima cannot carry one yet.
import type { PlanError, PlatformCandidate } from './plan.ts';

/** A model file on the host, checked (its GGUF header read) and summed. */
export interface PlanModel {
  /** Its name in the model store, or the file's name when given by path. */
  name: string;
  /** Where it is on the host: mounted read-only into the appliance at MODEL_MOUNT. */
  file: string;
  sha256: string;
  bytes: number;
}

/** Where the app finds the model, the one file of it, read-only. */
export const MODEL_MOUNT = '/model/model.gguf';

/** What the launcher found: the model, why there is none (one was needed or asked for), or null (none wanted). */
export type ModelFound = PlanModel | { missing: string } | null;

export const ADD_MODEL_FIX = 'add one with "ai-way models add FILE.gguf", or name one with --model NAME|PATH';

/** The Plan's model, or null; an error for one needed and missing, or for a way that cannot carry it. */
export function planModel(
  found: ModelFound,
  appliance: string | null,
  way: Pick<PlatformCandidate, 'id' | 'carriesModel'>,
  errors: PlanError[],
): PlanModel | null {
  if (found && 'missing' in found) {
    errors.push({ problem: `${appliance ?? 'the appliance'} needs a model, and ${found.missing}`, fix: ADD_MODEL_FIX });
    return null;
  }
  if (found && !way.carriesModel)
    errors.push({
      problem: `a model cannot enter a ${way.id} virtual machine yet`,
      fix: 'run it in a container on Linux, or in QEMU (--platform qemu)',
    });
  return found;
}
