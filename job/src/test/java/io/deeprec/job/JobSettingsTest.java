package io.deeprec.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.sched.DeepRecSchedPolicy;
import io.deeprec.sched.SchedParameters;
import io.deeprec.sched.SplitRule;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every bad value is refused when the job is defined, with the key named. */
class JobSettingsTest {

  @Test
  void theDefaultsAreServingDefaults() {
    Configuration conf = new Configuration();
    JobSettings settings = JobSettings.from(conf);

    assertThat(JobSettings.exactlyOnce(conf)).as("at-least-once by default").isFalse();
    assertThat(JobSettings.startsFromEarliest(conf)).as("a new group starts at the latest offset").isFalse();
    assertThat(settings.maxAge().toSeconds()).isEqualTo(10);
    assertThat(settings.warmupQueries()).isPositive();
    assertThat(settings.split()).isEqualTo(SplitRule.DEFAULT);
  }

  @Test
  void theSplitRuleIsReadInAnyCase() {
    assertThat(JobSettings.from(Configuration.fromMap(Map.of("deeprec.batch.split", "Balanced"))).split())
        .isEqualTo(SplitRule.BALANCED);
    assertThat(JobSettings.from(Configuration.fromMap(Map.of("deeprec.batch.split", "full-first"))).split())
        .isEqualTo(SplitRule.FULL_FIRST);
  }

  @Test
  void theCheckpointIntervalDefaultsByDeliveryModeUnlessSet() {
    assertThat(JobSettings.checkpointInterval(new Configuration()).toMillis()).isEqualTo(2000);
    assertThat(JobSettings.checkpointInterval(Configuration.fromMap(Map.of("deeprec.kafka.delivery", "exactly-once")))
        .toMillis()).isEqualTo(200);
    assertThat(JobSettings.checkpointInterval(Configuration.fromMap(Map.of("deeprec.kafka.delivery", "exactly-once",
        "deeprec.checkpoint.interval", "1 s"))).toMillis()).isEqualTo(1000);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "deeprec.checkpoint.interval, 0 ms",
      "deeprec.checkpoint.interval, -1 s",
      "deeprec.query.max-age, 0 ms",
      "deeprec.query.max-age, -5 s",
      "deeprec.warmup.timeout, 0 s",
      "deeprec.warmup.queries, -1",
      "deeprec.policy.windows-per-step, 0",
      "deeprec.policy.watch-windows, 0",
      "deeprec.policy.load-change-fraction, 0",
      "deeprec.policy.load-change-fraction, 1.5",
      "deeprec.policy.batch-candidates, 0;64",
      "deeprec.policy.batch-candidates, 2048",
      "deeprec.policy.offload-thresholds, 4096",
      "deeprec.policy.capacity-margin, 1",
      "deeprec.policy.p95-band, -0.1",
      "deeprec.policy.plateau-steps, -1",
      "deeprec.policy.expected-query-items, 0.5",
      "deeprec.policy.seed-latency-share, 0",
      "deeprec.policy.steady-start-steps, -1",
      "deeprec.policy.min-step-queries, -1",
      "deeprec.policy.confirm-wins, maybe",
      "deeprec.inference.timeout, 0 ms",
      "deeprec.reassembly.abandon-after, 0 ms",
      "deeprec.metrics.window, 0 ms",
      "deeprec.kafka.transaction-timeout, 0 ms",
      "deeprec.network.buffer-timeout, -1 ms",
      "deeprec.batch.max-queue-delay, -1 ms",
      "deeprec.batch.shards, -1",
      "deeprec.inference.workers, -2",
      "deeprec.inference.capacity, 0",
      "deeprec.kafka.topic-partitions, 0",
      "deeprec.kafka.delivery, exactly-twice",
      "deeprec.kafka.starting-offsets, yesterday",
  })
  void refusesABadValueNamingItsKey(String key, String value) {
    Configuration conf = Configuration.fromMap(Map.of(key, value));

    assertThatThrownBy(() -> JobSettings.from(conf)).hasMessageContaining(key);
  }

  @Test
  void everyDeepRecSchedParameterIsSetByItsOwnKeyAndTheRestKeepTheirDefaults() {
    Configuration conf = Configuration.fromMap(Map.ofEntries(
        Map.entry("deeprec.policy.batch-candidates", "1024;256;64"),
        Map.entry("deeprec.policy.offload-thresholds", "256"),
        Map.entry("deeprec.policy.windows-per-step", "3"),
        Map.entry("deeprec.policy.capacity-margin", "0.1"),
        Map.entry("deeprec.policy.p95-band", "0.2"),
        Map.entry("deeprec.policy.plateau-steps", "1"),
        Map.entry("deeprec.policy.load-change-fraction", "0.5"),
        Map.entry("deeprec.policy.watch-windows", "6"),
        Map.entry("deeprec.policy.expected-query-items", "100"),
        Map.entry("deeprec.policy.seed-latency-share", "0.25"),
        Map.entry("deeprec.policy.skip-losers", "false"),
        Map.entry("deeprec.policy.median-step-p95", "true"),
        Map.entry("deeprec.policy.misses-by-capacity", "true"),
        Map.entry("deeprec.policy.steady-start-steps", "2"),
        Map.entry("deeprec.policy.confirm-wins", "false"),
        Map.entry("deeprec.policy.min-step-queries", "50"),
        Map.entry("deeprec.policy.load-change-needs-miss", "true"),
        Map.entry("deeprec.policy.losers-end-direction", "true"),
        Map.entry("deeprec.policy.ties-to-larger-batch", "true"),
        Map.entry("deeprec.policy.saturated-by-capacity-only", "true")));

    assertThat(JobSettings.schedParameters(conf)).isEqualTo(new SchedParameters(List.of(1024, 256, 64), List.of(256),
        3, 0.1, 0.2, 1, 0.5, 6, 100, 0.25, false, true, true, 2, false, 50, true, true, true, true));
    assertThat(JobSettings.schedParameters(new Configuration())).isEqualTo(SchedParameters.DEFAULTS);
    assertThat(DeepRecOptions.schedParameterOptions()).as("one key per parameter")
        .hasSize(SchedParameters.class.getRecordComponents().length);
  }

  @Test
  void theJobsDeepRecSchedRunsByTheConfiguredParameters() {
    JobSettings settings = JobSettings.from(Configuration.fromMap(Map.of("deeprec.batch.policy", "deeprecsched",
        "deeprec.policy.losers-end-direction", "true")));

    DeepRecSchedPolicy policy = (DeepRecSchedPolicy) settings.policies().values().iterator().next();
    assertThat(policy.parameters()).isEqualTo(SchedParameters.DEFAULTS.withLosersEndDirection(true));
  }

  @Test
  void acceptsBothDeliveryModesAndStartingOffsetsInAnyCase() {
    Configuration conf = Configuration.fromMap(Map.of("deeprec.kafka.delivery", "Exactly-Once",
        "deeprec.kafka.starting-offsets", "EARLIEST"));
    JobSettings.from(conf);

    assertThat(JobSettings.exactlyOnce(conf)).isTrue();
    assertThat(JobSettings.startsFromEarliest(conf)).isTrue();
  }

  private static final String TINY_DLRM = "../operators/src/test/resources/torchscript/tiny-dlrm";

  @Test
  void servesAnExternalModelUnderItsManifestsNameWithItsTarget() {
    JobSettings settings = JobSettings.from(Configuration.fromMap(Map.of(
        "deeprec.models", "tiny-dlrm;rmc1", "deeprec.model.dirs", "tiny-dlrm:" + TINY_DLRM)));

    assertThat(settings.models().get("tiny-dlrm").external()).isTrue();
    assertThat(settings.models().get("rmc1").external()).isFalse();
    assertThat(settings.specs().get("tiny-dlrm").denseDim()).isEqualTo(13);
    assertThat(settings.p95TargetsMs().get("tiny-dlrm")).isEqualTo(50.0);
  }

  @Test
  void refusesAnExternalModelServedUnderAnotherName() {
    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of(
        "deeprec.models", "ranker", "deeprec.model.dirs", "ranker:" + TINY_DLRM))))
        .hasMessageContaining("holds model 'tiny-dlrm'").hasMessageContaining("as 'ranker'");
  }

  @Test
  void anUnknownModelErrorSaysHowToServeAnExternalOne() {
    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of("deeprec.models", "ranker"))))
        .hasMessageContaining("unknown model 'ranker'").hasMessageContaining("deeprec.model.dirs");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "deeprec.kafka.delivery, twice, '[at-least-once, exactly-once]'",
      "deeprec.kafka.starting-offsets, middle, '[latest, earliest]'",
      "deeprec.sla.tier, extreme, '[low, medium, high]'",
      "deeprec.accelerator.mode, tpu, '[none, simulated, gpu]'",
      "deeprec.batch.policy, greedy, 'static, fixed, timeout, aimd, deeprecsched'",
      "deeprec.batch.split, even, '[full-first, balanced]'",
  })
  void aBadEnumValueIsRefusedNamingTheKeyAndWhatIsAllowed(String key, String value, String allowed) {
    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of(key, value))))
        .hasMessageContaining(key).hasMessageContaining(allowed).hasMessageContaining("'" + value + "'");
  }

  @Test
  void mapSettingsAreReadAsMapsAndABadOneIsRefusedNamingTheKeyAndTheForm() {
    JobSettings settings = JobSettings.from(Configuration.fromMap(Map.of(
        "deeprec.models", "rmc1;wnd", "deeprec.sla.p95-targets", "rmc1:50,wnd:20",
        "deeprec.accelerator.latency-curve", "1:2.0,64:3.5")));
    assertThat(settings.p95TargetsMs()).containsEntry("rmc1", 50.0).containsEntry("wnd", 20.0);

    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of("deeprec.sla.p95-targets", "rmc1:fast"))))
        .hasMessageContaining("deeprec.sla.p95-targets").hasMessageContaining("'fast'");
    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of("deeprec.sla.p95-targets", "wnd:20"))))
        .hasMessageContaining("'wnd' is not a served model");
    assertThatThrownBy(() -> JobSettings.from(Configuration.fromMap(Map.of("deeprec.model.dirs", "rmc1=/models/rmc1"))))
        .hasMessageContaining("deeprec.model.dirs: expected comma-separated model:directory pairs");
  }
}
