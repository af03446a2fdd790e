package io.deeprec.serving;

import io.deeprec.schema.ModelRollout;
import java.util.Objects;

/**
 * Which version of a model the batchers stamp on requests, from the latest rollout and the one in
 * force before it: a rollout announces itself (requests carry it as the next version, so that
 * TaskManagers load it in the background) until its activation time, then scores every query
 * batched from then on. Every batcher applies the same absolute activation time. Plain Java.
 *
 * @param latest the latest rollout received, due or not (null: none)
 * @param previous the rollout in force before {@code latest} became due (null: the model the job
 *     started with)
 */
public record RolloutSchedule(ModelRollout latest, ModelRollout previous) {
  public static final RolloutSchedule NONE = new RolloutSchedule(null, null);

  /** After {@code incoming} arrives at {@code nowMs}: a due latest becomes the previous; a pending one is replaced. */
  public RolloutSchedule accept(ModelRollout incoming, long nowMs) {
    ModelRollout keep = latest != null && due(latest, nowMs) ? latest : previous;
    return new RolloutSchedule(Objects.requireNonNull(incoming, "rollout"), keep);
  }

  /** The version that scores queries batched at {@code nowMs}; null = the model the job started with. */
  public ModelRollout inForce(long nowMs) {
    return latest != null && due(latest, nowMs) ? latest : previous;
  }

  /** The version announced for later (loading in the background), or null. */
  public ModelRollout upcoming(long nowMs) {
    return latest != null && !due(latest, nowMs) ? latest : null;
  }

  private static boolean due(ModelRollout rollout, long nowMs) {
    return rollout.getActivateAtMs() <= nowMs;
  }
}
