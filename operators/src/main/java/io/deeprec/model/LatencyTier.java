package io.deeprec.model;

/**
 * Tail-latency target tiers. The paper evaluates each model at low, medium and high targets; it
 * does not give the factors in a form we could verify, so the factors here are our convention:
 * {@link #MEDIUM} is the per-model target from DESIGN.md, {@link #LOW} half of it (tighter) and
 * {@link #HIGH} one and a half times it (looser).
 */
public enum LatencyTier {
  LOW(0.5),
  MEDIUM(1.0),
  HIGH(1.5);

  private final double factor;

  LatencyTier(double factor) {
    this.factor = factor;
  }

  /** Multiplier on the medium (reference) target. */
  public double factor() {
    return factor;
  }
}
