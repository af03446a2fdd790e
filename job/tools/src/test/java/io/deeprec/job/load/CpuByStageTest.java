package io.deeprec.job.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.load.CpuByStage.Named;
import io.deeprec.job.load.CpuByStage.Snapshot;
import io.deeprec.job.load.CpuByStage.Stage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuByStageTest {

  /** Input: thread names as Flink, Kafka and this project give them. Expected: the stage each works for. */
  @ParameterizedTest
  @CsvSource(delimiterString = " => ", value = {
      "Source Data Fetcher for Source: kafka-queries -> validate (1/2)#0 => QUERY_FETCH",
      "Source: kafka-queries -> validate (2/2)#0 => QUERY_DECODE",
      "SourceCoordinator-Source: kafka-queries => FLINK",
      "micro-batcher -> cpu-inference (1/2)#0 => BATCHER",
      "System Time Trigger for micro-batcher -> cpu-inference (1/2)#0 => BATCHER",
      "deeprec-cpu-worker-1 => INFERENCE",
      "AsyncOperations-thread-3 => ASYNC",
      "Flink Netty Server (0) Thread 1 => SHUFFLE",
      "reassemble (2/2)#0 => REASSEMBLY",
      "separate-warmup -> kafka-results-sink: Writer -> kafka-results-sink: Committer (1/2)#0 => RESULTS_SINK",
      "metrics -> kafka-metrics-sink: Writer -> kafka-metrics-sink: Committer (1/2)#0 => METRICS_CONTROL",
      "Source: kafka-control -> decode-control -> control-decisions (1/2)#0 => METRICS_CONTROL",
      "kafka-producer-network-thread | producer-7 => PRODUCER_IO",
      "data-plane-kafka-request-handler-3 => BROKER",
      "kafka-0-raft-io-thread => BROKER",
      "kafka-coordinator-heartbeat-thread | deeprec-reader-1 => CLIENTS",
      "deeprec-load => LOAD",
      "deeprec-result-tracker => CONSUMER",
      "deeprec-kafka-hop-sender => HOP_PROBE",
      "flink-pekko.actor.default-dispatcher-5 => FLINK",
      "main => OTHER"
  })
  void shouldTellTheStageByTheThreadName(String threadName, Stage stage) {
    assertThat(CpuByStage.of(threadName)).as(threadName).isEqualTo(stage);
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
