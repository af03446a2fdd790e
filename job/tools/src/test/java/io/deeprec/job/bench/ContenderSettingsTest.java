package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.job.JobSettings;
import io.deeprec.sched.DeepRecSchedPolicy;
import io.deeprec.sched.SchedParameters;
import io.deeprec.sched.SplitRule;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** A contender may carry its policy's own settings, so that two variants of one policy are compared side by side. */
class ContenderSettingsTest {

  private static Configuration serving(String policy) {
    return FlinkKafkaPath.servingConfiguration("rmc1", null, policy, 0, 100, 0.01, 7, 2, null);
  }

  @Test
  void aContendersSettingsReachItsPolicyAndThePlainNameKeepsTheDefaults() {
    DeepRecSchedPolicy variant = (DeepRecSchedPolicy) JobSettings.from(
        serving("deeprecsched@load-change-fraction=0.5@watch-windows=6")).policies().get("rmc1");
    DeepRecSchedPolicy plain = (DeepRecSchedPolicy) JobSettings.from(serving("deeprecsched")).policies().get("rmc1");

    assertThat(variant.parameters()).isEqualTo(
        SchedParameters.DEFAULTS.withLoadChangeFraction(0.5).withWatchWindows(6));
    assertThat(plain.parameters()).isEqualTo(SchedParameters.DEFAULTS);
  }

  @Test
  void everyParameterOfThePolicyMayBeAContendersOwnListsSeparatedBySemicolons() {
    DeepRecSchedPolicy variant = (DeepRecSchedPolicy) JobSettings.from(
        serving("deeprecsched@losers-end-direction=true@batch-candidates=1024;192;64")).policies().get("rmc1");

    assertThat(variant.parameters()).isEqualTo(
        SchedParameters.DEFAULTS.withLosersEndDirection(true).withBatchCandidates(java.util.List.of(1024, 192, 64)));
  }

  @Test
  void aBadSettingIsRefusedBeforeAnyJobStartsNamingIt() {
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("deeprecsched@load-change=0.5"))
        .hasMessageContaining("unknown policy setting 'load-change'").hasMessageContaining("load-change-fraction");
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("deeprecsched@load-change-fraction"))
        .hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("deeprecsched@load-change-fraction=2"))
        .hasMessageContaining("deeprec.policy.load-change-fraction must be in (0, 1]");
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("greedy")).hasMessageContaining("greedy");
    FlinkKafkaPath.checkPolicy("deeprecsched@windows-per-step=2");
  }

  @Test
  void aFixedSizeMayCarryTheSplitRuleAsAContenderOfItsOwn() {
    String contender = "fixed-128@deeprec.batch.split=balanced";
    FlinkKafkaPath.checkPolicy(contender);
    JobSettings settings = JobSettings.from(FlinkKafkaPath.servingConfiguration("rmc1", null,
        ProductBench.policyName(contender), ProductBench.fixedSize(contender), 100, 0.01, 7, 2, null));

    assertThat(settings.split()).isEqualTo(SplitRule.BALANCED);
    assertThat(settings.policies().get("rmc1").settings().batchSize()).isEqualTo(128);
    assertThat(ProductBench.policyName("fixed-64")).isEqualTo("fixed");
    assertThat(ProductBench.fixedSize("fixed-64")).isEqualTo(64);
    assertThat(JobSettings.from(serving("deeprecsched@deeprec.batch.split=balanced")).split()).isEqualTo(SplitRule.BALANCED);
    assertThat(JobSettings.from(serving("deeprecsched")).split()).isEqualTo(SplitRule.DEFAULT);
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("fixed-128@deeprec.batch.split=even"))
        .hasMessageContaining("deeprec.batch.split").hasMessageContaining("balanced");
    assertThatThrownBy(() -> FlinkKafkaPath.checkPolicy("fixed-128@deeprec.batch.size=64"))
        .hasMessageContaining("unknown policy setting 'deeprec.batch.size'");
  }
}
