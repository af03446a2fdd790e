package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The load generator's account of writes that failed, on the embedded broker. */
class OpenLoopSenderITCase {

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: a producer whose request size limit is below one query of 1,000 items, one such query, then one of 1 item.
   * Output: the large one is counted failed, kept with its reason, and sent again on request (failing again);
   * the small one is written.
   */
  @Test
  void aQueryTheProducerFailedToWriteIsKeptAndCanBeSentAgain() {
    QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(1000), 3, "sender", 5);
    try (OpenLoopSender sender = new OpenLoopSender(tooSmallForLargeQueries("sender-queries"), "sender-queries")) {
      sender.send(generator.next(System.currentTimeMillis()));
      sender.flush();

      assertThat(sender.failed()).isEqualTo(1);
      assertThat(sender.unwritten()).isEqualTo(1);
      assertThat(sender.firstFailure()).contains("RecordTooLargeException");

      assertThat(sender.resendFailed()).isEqualTo(1);
      sender.flush();
      assertThat(sender.failed()).as("the same record failed twice").isEqualTo(2);
      assertThat(sender.unwritten()).isEqualTo(1);

      QueryGenerator small = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(1), 4, "small", 5);
      sender.send(small.next(System.currentTimeMillis()));
      sender.flush();
      assertThat(sender.failed()).isEqualTo(2);
      assertThat(sender.sent()).isEqualTo(2);
    }
  }

  /**
   * Input: a sender that keeps one failed record, two queries too large to write. Output: both are
   * unwritten, one kept and sent again, the other counted as not kept (lost).
   */
  @Test
  void failedRecordsBeyondTheKeptNumberAreCountedNotKept() {
    QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(1000), 5, "bounded", 5);
    try (OpenLoopSender sender = new OpenLoopSender(tooSmallForLargeQueries("sender-bounded"), "sender-bounded", 1)) {
      sender.send(generator.next(System.currentTimeMillis()));
      sender.send(generator.next(System.currentTimeMillis()));
      sender.flush();

      assertThat(sender.failed()).isEqualTo(2);
      assertThat(sender.unwritten()).isEqualTo(2);
      assertThat(sender.notKept()).isEqualTo(1);
      assertThat(sender.resendFailed()).isEqualTo(1);
    }
  }

  /** A fresh topic, and client properties whose request size limit is below one query of 1,000 items. */
  private static Properties tooSmallForLargeQueries(String topic) {
    KAFKA.createTopics(1, topic);
    Properties props = KAFKA.clientProperties();
    props.setProperty("max.request.size", "600");
    return props;
  }
}
