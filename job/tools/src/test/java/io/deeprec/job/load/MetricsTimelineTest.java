package io.deeprec.job.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.MetricsSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTimelineTest {

  @Test
  void decisionsAreWrittenWithTheirReasonsAsOneQuotedField(@TempDir Path dir) throws Exception {
    ControlDecision beforeLoad = decision(64, true, "hold batch 64, threshold 0 (meets the target, capacity 20 queries/s)",
        9_000);
    ControlDecision quoted = decision(128, false, "explore again: load moved from 8.0 to \"12.5\" queries/s", 12_500);
    Path file = dir.resolve("rmc2-decisions.csv");

    MetricsTimeline.writeDecisionsCsv(List.of(beforeLoad, quoted), 10_000, file);

    assertThat(Files.readAllLines(file)).containsExactly(
        "time_s,model,source,policy,batch_size,offload_threshold,holding,reason",
        "-1.0,rmc2,CONTROLLER,deeprecsched,64,0,true,\"hold batch 64, threshold 0 (meets the target, capacity 20 queries/s)\"",
        "2.5,rmc2,CONTROLLER,deeprecsched,128,0,false,\"explore again: load moved from 8.0 to \"\"12.5\"\" queries/s\"");
  }

  @Test
  void aReasonWithoutSeparatorsIsLeftUnquoted() {
    assertThat(MetricsTimeline.csvField("seeded")).isEqualTo("seeded");
  }

  @Test
  void windowsCarryTheWorkPerQueryAndTheWorkersTheCapacityEstimateReads(@TempDir Path dir) throws Exception {
    MetricsSnapshot window = MetricsSnapshot.newBuilder()
        .setModel("rmc2").setPolicy("deeprecsched").setWindowStartMs(10_000).setWindowEndMs(11_000).setQueries(12).setQps(12.0)
        .setP50Ms(80).setP95Ms(150).setP99Ms(190).setBatchSize(32).setOffloadThreshold(0).setWorkMsPerQuery(104.5)
        .setWorkers(2).setQueueDepth(3).setOkCount(12).setExpiredCount(0).setRejectedCount(0).setDeadLetterCount(0).build();
    Path file = dir.resolve("rmc2-timeline.csv");

    MetricsTimeline.writeCsv(List.of(window), 10_000, file);

    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).endsWith(",queue_depth,work_ms_per_query,workers");
    assertThat(lines.get(1)).startsWith("1.0,rmc2,deeprecsched,32,0,").endsWith(",104.50,2");
  }

  private static ControlDecision decision(int batchSize, boolean holding, String reason, long timestampMs) {
    return ControlDecision.newBuilder().setModel("rmc2").setBatchSize(batchSize).setOffloadThreshold(0)
        .setPolicy("deeprecsched").setSource(DecisionSource.CONTROLLER).setHolding(holding).setReason(reason)
        .setTimestampMs(timestampMs).build();
  }
}
