package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BaselinePoliciesTest {

  private static WindowObservation window(double p95Ms, BatchSettings applied) {
    return new WindowObservation(0, 64, 100, p95Ms / 2, p95Ms, p95Ms * 1.2, applied);
  }

  /** static: any query up to the largest (1024 items) is exactly one request, and feedback changes nothing. */
  @Test
  void staticSendsEveryQueryAsOneRequest() {
    StaticBatchPolicy policy = new StaticBatchPolicy();

    for (int items : new int[] {1, 167, 261, 1024}) {
      for (SplitRule split : SplitRule.values()) {
        assertThat(QuerySplitter.plan(items, 0, policy.settings(), split)).hasSize(1);
      }
    }
    assertThat(policy.observe(window(1_000, policy.settings()))).isEqualTo(policy.settings());
    assertThat(policy.adaptive()).isFalse();
    assertThat(policy.name()).isEqualTo("static");
  }

  /** timeout: merges (max delay > 0) up to the max batch; a zero delay is refused, naming the fixed policy. */
  @Test
  void timeoutMergesUpToTheMaxBatchAndNeedsADelay() {
    TimeoutBatchPolicy policy = new TimeoutBatchPolicy(256, 3);

    assertThat(policy.settings().merges()).isTrue();
    assertThat(policy.settings()).isEqualTo(new BatchSettings(256, 3, 0));
    assertThat(policy.name()).isEqualTo("timeout");
    assertThatThrownBy(() -> new TimeoutBatchPolicy(256, 0)).hasMessageContaining("fixed");
  }

  /** aimd: +step per window under target, x0.9 on a miss, clamped to its bounds. */
  @Test
  void aimdIncreasesAdditivelyUnderTargetAndDecreasesMultiplicativelyOnAMiss() {
    AimdBatchPolicy policy = AimdBatchPolicy.builder(10).initialBatchSize(64).additiveStep(8).minBatchSize(16).maxBatchSize(96).build();

    assertThat(policy.observe(window(5, policy.settings())).batchSize()).isEqualTo(72);
    assertThat(policy.observe(window(9.9, policy.settings())).batchSize()).isEqualTo(80);
    assertThat(policy.observe(window(12, policy.settings())).batchSize()).isEqualTo(72);
    for (int i = 0; i < 10; i++) {
      policy.observe(window(5, policy.settings()));
    }
    assertThat(policy.settings().batchSize()).isEqualTo(96);
    for (int i = 0; i < 30; i++) {
      policy.observe(window(50, policy.settings()));
    }
    assertThat(policy.settings().batchSize()).isEqualTo(16);
    assertThat(policy.adaptive()).isTrue();
  }

  @Test
  void aimdBuilderNamesABadSetting() {
    assertThatThrownBy(() -> AimdBatchPolicy.builder(10).decreaseFactor(1.5).build()).hasMessageContaining("decreaseFactor");
    assertThatThrownBy(() -> AimdBatchPolicy.builder(10).initialBatchSize(2000).build()).hasMessageContaining("initialBatchSize");
  }
}
