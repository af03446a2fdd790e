package io.deeprec.job;

import io.deeprec.inference.AcceleratorFunction;
import java.util.Locale;

/** The accelerator path of the job ({@link DeepRecOptions#ACCELERATOR_MODE}). */
public enum AcceleratorChoice {
  NONE(null),
  SIMULATED(AcceleratorFunction.Mode.SIMULATED),
  GPU(AcceleratorFunction.Mode.GPU);

  private final AcceleratorFunction.Mode mode;

  AcceleratorChoice(AcceleratorFunction.Mode mode) {
    this.mode = mode;
  }

  /** The operator's mode, or null for no accelerator path. */
  public AcceleratorFunction.Mode mode() {
    return mode;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
