package io.deeprec.job.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.load.CpuByStage.Named;
import io.deeprec.job.load.CpuByStage.Snapshot;
import io.deeprec.job.load.CpuByStage.Stage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuByStageTest {

  /** Input: thread names as Flink, Kafka and this project give them. Expected: the stage each works for. */
  @Test
  void shouldTellTheStageByTheThreadName() {
    assertThat(CpuByStage.of("Source Data Fetcher for Source: kafka-queries -> validate (1/2)#0")).isEqualTo(Stage.QUERY_FETCH);
    assertThat(CpuByStage.of("Source: kafka-queries -> validate (2/2)#0")).isEqualTo(Stage.QUERY_DECODE);
    assertThat(CpuByStage.of("SourceCoordinator-Source: kafka-queries")).isEqualTo(Stage.FLINK);
    assertThat(CpuByStage.of("micro-batcher -> cpu-inference (1/2)#0")).isEqualTo(Stage.BATCHER);
    assertThat(CpuByStage.of("System Time Trigger for micro-batcher -> cpu-inference (1/2)#0")).isEqualTo(Stage.BATCHER);
    assertThat(CpuByStage.of("deeprec-cpu-worker-1")).isEqualTo(Stage.INFERENCE);
    assertThat(CpuByStage.of("AsyncOperations-thread-3")).isEqualTo(Stage.ASYNC);
    assertThat(CpuByStage.of("Flink Netty Server (0) Thread 1")).isEqualTo(Stage.SHUFFLE);
    assertThat(CpuByStage.of("reassemble (2/2)#0")).isEqualTo(Stage.REASSEMBLY);
    assertThat(CpuByStage.of("separate-warmup -> kafka-results-sink: Writer -> kafka-results-sink: Committer (1/2)#0"))
        .isEqualTo(Stage.RESULTS_SINK);
    assertThat(CpuByStage.of("metrics -> kafka-metrics-sink: Writer -> kafka-metrics-sink: Committer (1/2)#0"))
        .isEqualTo(Stage.METRICS_CONTROL);
    assertThat(CpuByStage.of("Source: kafka-control -> decode-control -> control-decisions (1/2)#0"))
        .isEqualTo(Stage.METRICS_CONTROL);
    assertThat(CpuByStage.of("kafka-producer-network-thread | producer-7")).isEqualTo(Stage.PRODUCER_IO);
    assertThat(CpuByStage.of("data-plane-kafka-request-handler-3")).isEqualTo(Stage.BROKER);
    assertThat(CpuByStage.of("kafka-0-raft-io-thread")).isEqualTo(Stage.BROKER);
    assertThat(CpuByStage.of("kafka-coordinator-heartbeat-thread | deeprec-reader-1")).isEqualTo(Stage.CLIENTS);
    assertThat(CpuByStage.of("deeprec-load")).isEqualTo(Stage.LOAD);
    assertThat(CpuByStage.of("deeprec-result-tracker")).isEqualTo(Stage.CONSUMER);
    assertThat(CpuByStage.of("deeprec-kafka-hop-sender")).isEqualTo(Stage.HOP_PROBE);
    assertThat(CpuByStage.of("flink-pekko.actor.default-dispatcher-5")).isEqualTo(Stage.FLINK);
    assertThat(CpuByStage.of("main")).isEqualTo(Stage.OTHER);
  }

  /**
   * Input: a worker that ran 30 ms, a thread started in between (10 ms), one that ended in between,
   * and the process's 100 ms. Expected: the stages' deltas, the rest of the process's time to the JVM.
   */
  @Test
  void shouldChargeTheProcessTimeNoListedThreadAccountsForToTheJvm() {
    Snapshot from = new Snapshot(0, Map.of(
        1L, new Named("deeprec-cpu-worker-0", 50_000_000L),
        2L, new Named("deeprec-load", 5_000_000L)), 200_000_000L);
    Snapshot to = new Snapshot(1, Map.of(
        1L, new Named("deeprec-cpu-worker-0", 80_000_000L),
        3L, new Named("reassemble (1/2)#0", 10_000_000L)), 300_000_000L);
    Map<Stage, Long> spent = CpuByStage.between(from, to);
    assertThat(spent).containsEntry(Stage.INFERENCE, 30_000_000L)
        .containsEntry(Stage.REASSEMBLY, 10_000_000L)
        .containsEntry(Stage.JVM, 60_000_000L)
        .doesNotContainKey(Stage.LOAD);
  }

  /** Expected: this JVM's own threads are listed with their CPU time, and the process's time is known. */
  @Test
  void shouldReadThisJvmsThreads() {
    Snapshot now = CpuByStage.take();
    assertThat(now.threadCpuNanos().values()).extracting(Named::name).contains(Thread.currentThread().getName());
    assertThat(now.processCpuNanos()).isPositive();
  }
}
