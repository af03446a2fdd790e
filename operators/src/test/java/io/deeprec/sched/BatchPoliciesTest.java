package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchPoliciesTest {

  private static final PolicyConfig CONFIG = PolicyConfig.defaults(25).withBatchSize(96).withMaxQueueDelayMs(4).withWorkers(2);

  @Test
  void everyCliNameBuildsThePolicyOfThatName() {
    for (String name : BatchPolicies.NAMES) {
      assertThat(BatchPolicies.create(name, CONFIG).name()).isEqualTo(name);
    }
    assertThat(BatchPolicies.create("static", CONFIG)).isInstanceOf(StaticBatchPolicy.class);
    assertThat(BatchPolicies.create("fixed", CONFIG).settings()).isEqualTo(new BatchSettings(96, 0, 0));
    assertThat(BatchPolicies.create("timeout", CONFIG).settings()).isEqualTo(new BatchSettings(96, 4, 0));
    assertThat(BatchPolicies.create("aimd", CONFIG).settings().batchSize()).isEqualTo(96);
    assertThat(BatchPolicies.create("DeepRecSched", CONFIG)).isInstanceOf(DeepRecSchedPolicy.class);
  }

  @Test
  void anUnknownNameListsTheValidOnes() {
    assertThatThrownBy(() -> BatchPolicies.create("clipper", CONFIG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clipper")
        .hasMessageContaining("static, fixed, timeout, aimd, deeprecsched");
  }

  @Test
  void deepRecSchedGetsTheProfileAndTheAccelerator() {
    // Cost per item grows with the batch (small requests serve more), so the profile-seeded start
    // splits, while without a profile it would be the largest batch.
    PolicyConfig config = CONFIG.withAccelerator(true).withProfileMs(Map.of(1, 0.02, 1024, 40.0));

    BatchPolicy policy = BatchPolicies.create("deeprecsched", config);

    assertThat(policy.adaptive()).isTrue();
    assertThat(policy.settings().batchSize()).isLessThan(1024);
  }

  @Test
  void deepRecSchedRunsByTheConfiguredParametersAndTheDefaultsWhenNoneAreGiven() {
    SchedParameters configured = SchedParameters.DEFAULTS.withWindowsPerStep(2).withLosersEndDirection(true)
        .withBatchCandidates(List.of(1024, 128, 32));
    DeepRecSchedPolicy tuned = (DeepRecSchedPolicy) BatchPolicies.create("deeprecsched",
        CONFIG.withSchedParameters(configured));
    DeepRecSchedPolicy unset = (DeepRecSchedPolicy) BatchPolicies.create("deeprecsched", CONFIG.withSchedParameters(null));

    assertThat(tuned.parameters()).isEqualTo(configured);
    assertThat(unset.parameters()).isEqualTo(SchedParameters.DEFAULTS);
  }
}
