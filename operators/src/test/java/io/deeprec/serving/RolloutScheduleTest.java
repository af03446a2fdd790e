package io.deeprec.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.schema.ModelRollout;
import org.junit.jupiter.api.Test;

class RolloutScheduleTest {

  private static ModelRollout rollout(String version, long activateAtMs) {
    return ModelRollout.newBuilder().setModel("m").setDir("/m/" + version).setVersion(version)
        .setActivateAtMs(activateAtMs).setTimestampMs(1).build();
  }

  @Test
  void theStartedModelServesUntilTheFirstRolloutIsDue() {
    RolloutSchedule schedule = RolloutSchedule.NONE.accept(rollout("2", 100), 0);
    assertThat(schedule.inForce(99)).isNull();
    assertThat(schedule.upcoming(99).getVersion()).isEqualTo("2");
    assertThat(schedule.inForce(100).getVersion()).isEqualTo("2");
    assertThat(schedule.upcoming(100)).isNull();
  }

  @Test
  void aDueVersionKeepsServingWhileTheNextOneIsAnnounced() {
    RolloutSchedule schedule = RolloutSchedule.NONE.accept(rollout("2", 0), 0).accept(rollout("3", 500), 10);
    assertThat(schedule.inForce(20).getVersion()).isEqualTo("2");
    assertThat(schedule.upcoming(20).getVersion()).isEqualTo("3");
    assertThat(schedule.inForce(500).getVersion()).isEqualTo("3");
  }

  @Test
  void aRolloutReplacedBeforeItIsDueNeverServes() {
    RolloutSchedule schedule = RolloutSchedule.NONE.accept(rollout("2", 0), 0)
        .accept(rollout("3", 500), 10)
        .accept(rollout("4", 600), 20);
    assertThat(schedule.inForce(30).getVersion()).isEqualTo("2");
    assertThat(schedule.upcoming(30).getVersion()).isEqualTo("4");
    assertThat(schedule.inForce(600).getVersion()).isEqualTo("4");
  }
}
