package io.deeprec.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.schema.ResultStatus;
import io.deeprec.workload.QuerySizes;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupProgressTest {
  private static final long START = 1_000_000L;
  private static final long RESEND_MS = 2_000;
  private static final long TIMEOUT_MS = 60_000;

  private static WarmupProgress progress(List<String> models, int partitions, int quota) {
    return new WarmupProgress("n1", models, partitions, quota, RESEND_MS, TIMEOUT_MS, START, QuerySizes.fixed(8), 1);
  }

  private static void answerAll(WarmupProgress progress, List<WarmupProgress.Send> sends) {
    answerAll(progress, sends, 10);
  }

  private static void answerAll(WarmupProgress progress, List<WarmupProgress.Send> sends, double latencyMs) {
    sends.forEach(send -> assertThat(progress.answered(send.query().getQueryId(), ResultStatus.OK, latencyMs)).isTrue());
  }

  /** Input: 2 models, 3 partitions. Output: one query per (model, partition), each aimed at its partition. */
  @Test
  void sendsOneQueryPerModelAndPartitionAtFirst() {
    List<WarmupProgress.Send> sends = progress(List.of("rmc1", "wnd"), 3, 5).due(START);

    assertThat(sends).hasSize(6);
    assertThat(sends).extracting(WarmupProgress.Send::partition).containsExactlyInAnyOrder(0, 1, 2, 0, 1, 2);
    assertThat(sends).allSatisfy(send -> {
      assertThat(WarmupProgress.isWarmup(send.query().getQueryId())).isTrue();
      assertThat(send.query().getArrivalTimeMs()).isEqualTo(START);
      assertThat(send.query().getCandidateIds()).hasSize(8);
    });
  }

  /** A slot with a query in flight sends nothing until it is answered or overdue. */
  @Test
  void keepsOneQueryInFlightPerSlotAndResendsAnOverdueOne() {
    WarmupProgress progress = progress(List.of("rmc1"), 2, 5);
    List<WarmupProgress.Send> first = progress.due(START);

    assertThat(progress.due(START + 10)).as("both in flight").isEmpty();
    progress.answered(first.get(0).query().getQueryId(), ResultStatus.OK, 10);
    assertThat(progress.due(START + 20)).as("the answered slot goes on").singleElement()
        .extracting(WarmupProgress.Send::partition).isEqualTo(first.get(0).partition());
    assertThat(progress.due(START + RESEND_MS)).as("the unanswered slot, overdue, is sent again").singleElement()
        .extracting(WarmupProgress.Send::partition).isEqualTo(first.get(1).partition());
  }

  /**
   * Input: a partition answered a query, and the next one sent there is slow (a cold model). Output: it is
   * waited for, not sent again: the source reads everything sent there after an answered query, and re-sending
   * would pile up a backlog.
   */
  @Test
  void waitsForASlowAnswerOnAPartitionThatAnsweredBefore() {
    WarmupProgress progress = progress(List.of("rmc2", "wnd"), 1, 5);
    List<WarmupProgress.Send> first = progress.due(START);
    answerAll(progress, first.subList(0, 1), 3_000);

    List<WarmupProgress.Send> next = progress.due(START + 10);
    assertThat(next).as("the answered slot goes on").singleElement()
        .satisfies(send -> assertThat(send.query().getModel()).isEqualTo(first.get(0).query().getModel()));
    assertThat(progress.due(START + 10 + 5 * RESEND_MS))
        .as("the slow query, sent after an answered one, is waited for; the other slot's, sent with it, may be unread")
        .singleElement()
        .satisfies(send -> assertThat(send.query().getModel()).isEqualTo(first.get(1).query().getModel()));
    assertThat(progress.due(START + 10 + 6 * RESEND_MS)).as("the one re-sent after an answered one is waited for")
        .isEmpty();
  }

  /**
   * Input: every model answers its quota, but one partition never answered. Output: not ready
   * (a query sent there now might be skipped), even after the timeout; ready once it answers.
   */
  @Test
  void isNotReadyUntilEveryPartitionWasReached() {
    WarmupProgress progress = progress(List.of("rmc1"), 2, 3);
    long now = START;
    for (int round = 0; round < 2 * WarmupProgress.MIN_WINDOW; round++) {
      progress.due(now++).stream().filter(s -> s.partition() == 0)
          .forEach(s -> progress.answered(s.query().getQueryId(), ResultStatus.OK, 10));
    }
    assertThat(progress.readiness(START + TIMEOUT_MS + 1)).isNull();
    List<WarmupProgress.Send> probe = progress.due(now + RESEND_MS);
    assertThat(probe).as("only the partition not reached is probed again")
        .extracting(WarmupProgress.Send::partition).containsExactly(1);

    answerAll(progress, probe);
    WarmupProgress.Readiness readiness = progress.readiness(now + RESEND_MS + 1);
    assertThat(readiness).isNotNull();
    assertThat(readiness.warm()).isTrue();
  }

  /**
   * Input: a model's warm-up answers get faster, window after window (windows of 20): 400, 200,
   * 100 ms, then 95 ms. Output: not ready while each window is clearly faster than the one before;
   * ready (warm) once a window stops improving, its p95 announced.
   */
  @Test
  void keepsWarmingUpWhileTheLatencyStillImproves() {
    WarmupProgress progress = progress(List.of("rmc1"), 1, 40);
    long[] now = {START};
    for (double latency : new double[] {400, 200, 100}) {
      for (int i = 0; i < WarmupProgress.MIN_WINDOW; i++) {
        answerAll(progress, progress.due(now[0]++), latency);
      }
      assertThat(progress.readiness(now[0])).as("after a window of %s ms", latency).isNull();
    }
    for (int i = 0; i < WarmupProgress.MIN_WINDOW; i++) {
      answerAll(progress, progress.due(now[0]++), 95);
    }
    WarmupProgress.Readiness readiness = progress.readiness(now[0]);
    assertThat(readiness).isNotNull();
    assertThat(readiness.warm()).isTrue();
    assertThat(readiness.models().get("rmc1").p95Ms()).isEqualTo(95.0);
  }

  /** Ready and warm once each model answered its quota; the announcement counts the answers. */
  @Test
  void isWarmWhenEveryModelAnsweredItsQuota() {
    WarmupProgress progress = progress(List.of("rmc1", "wnd"), 2, 4);
    long now = START;
    while (progress.readiness(now) == null) {
      answerAll(progress, progress.due(now));
      now++;
    }
    WarmupProgress.Readiness readiness = progress.readiness(now);

    assertThat(readiness.warm()).isTrue();
    assertThat(readiness.models()).containsOnlyKeys("rmc1", "wnd");
    assertThat(readiness.models().values()).allSatisfy(m -> {
      assertThat(m.ok()).isGreaterThanOrEqualTo(4);
      assertThat(m.p95Ms()).isEqualTo(10.0);
    });
    assertThat(progress.due(now)).as("nothing left to send").isEmpty();
  }

  /** With every partition reached but a model short of its quota at the timeout: ready, not warm. */
  @Test
  void isReadyButNotWarmAfterTheTimeout() {
    WarmupProgress progress = progress(List.of("rmc1"), 1, 100);
    answerAll(progress, progress.due(START));

    assertThat(progress.readiness(START + TIMEOUT_MS - 1)).isNull();
    WarmupProgress.Readiness late = progress.readiness(START + TIMEOUT_MS);
    assertThat(late).isNotNull();
    assertThat(late.warm()).isFalse();
  }

  /** Answers to another start's warm-up (replayed after a restart) neither count nor fail. */
  @Test
  void ignoresAnswersToAnotherStartsWarmup() {
    WarmupProgress progress = progress(List.of("rmc1"), 1, 0);

    assertThat(progress.answered(WarmupProgress.ID_PREFIX + "other/rmc1/0/0", ResultStatus.OK, 1)).isFalse();
    assertThat(progress.answered("a-real-query", ResultStatus.OK, 1)).isFalse();
    assertThat(progress.readiness(START + TIMEOUT_MS)).isNull();
  }

  @Test
  void refusesAPlanWithoutPartitionsOrModels() {
    assertThatThrownBy(() -> progress(List.of("rmc1"), 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> progress(List.of(), 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
