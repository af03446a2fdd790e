package io.deeprec.sched;

import java.util.List;

/** Builds a policy from its CLI name: {@value #VALID_NAMES}. */
public final class BatchPolicies {

  /** The CLI names, for help texts and error messages. */
  public static final String VALID_NAMES = "static, fixed, timeout, aimd, deeprecsched";

  /** The CLI names in the order they are usually compared (baseline first). */
  public static final List<String> NAMES = List.of("static", "fixed", "timeout", "aimd", "deeprecsched");

  private BatchPolicies() {}

  /**
   * A fresh policy (adaptive ones carry state: one instance per model).
   *
   * @param name one of {@value #VALID_NAMES}, case-insensitive
   * @throws IllegalArgumentException for an unknown name, or a config the policy cannot use
   */
  public static BatchPolicy create(String name, PolicyConfig config) {
    String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
    return switch (key) {
      case "static" -> new StaticBatchPolicy();
      case "fixed" -> new FixedBatchPolicy(config.batchSize(), 0);
      case "timeout" -> new TimeoutBatchPolicy(config.batchSize(), config.maxQueueDelayMs());
      case "aimd" -> AimdBatchPolicy.builder(config.targetP95Ms()).initialBatchSize(config.batchSize()).build();
      case "deeprecsched" -> deepRecSched(config);
      default -> throw new IllegalArgumentException("unknown batch policy '" + name + "'; valid names: " + VALID_NAMES);
    };
  }

  private static DeepRecSchedPolicy deepRecSched(PolicyConfig config) {
    return new DeepRecSchedPolicy(config.targetP95Ms(), config.schedParameters(), config.workers(), config.hasAccelerator(), config.profileMs(), 0);
  }
}
