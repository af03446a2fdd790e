package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a held choice is explored again: a load change, or a miss in every window of a watch span. */
class ReexplorationTriggerTest {
  private static final BatchSettings CHOICE = new BatchSettings(128, 0, 0);

  private static ReexplorationTrigger.Reexplore feed(ReexplorationTrigger trigger, int windows, double qps, double p95Ms) {
    ReexplorationTrigger.Reexplore last = null;
    for (int i = 0; i < windows && last == null; i++) {
      last = trigger.onWindow(new WindowObservation(i, Math.round(qps), qps, p95Ms / 2, p95Ms, p95Ms, CHOICE));
    }
    return last;
  }

  private static ReexplorationTrigger watching(boolean choiceMetTarget) {
    ReexplorationTrigger trigger = new ReexplorationTrigger(50, SchedParameters.DEFAULTS.withWatchWindows(4));
    trigger.watch(choiceMetTarget);
    return trigger;
  }

  @Test
  void holdsWhileTheLoadAndTheTargetHold() {
    ReexplorationTrigger trigger = watching(true);
    assertThat(feed(trigger, 100, 100, 40)).isNull();
  }

  @Test
  void aLoadChangeBeyondTheFractionExploresAgain() {
    ReexplorationTrigger trigger = watching(true);
    assertThat(feed(trigger, 4, 100, 40)).isNull();
    assertThat(feed(trigger, 2, 120, 40)).as("a 20% change is within the fraction").isNull();
    ReexplorationTrigger.Reexplore why = feed(trigger, 8, 200, 40);
    assertThat(why).isNotNull();
    assertThat(why.missedTarget()).isFalse();
    assertThat(why.why()).contains("load moved");
  }

  @Test
  void aMissInEveryWindowOfAWatchSpanExploresAgainAShorterOneDoesNot() {
    ReexplorationTrigger trigger = watching(true);
    feed(trigger, 4, 100, 40);
    assertThat(feed(trigger, 3, 100, 60)).isNull();
    assertThat(feed(trigger, 1, 100, 40)).isNull();
    ReexplorationTrigger.Reexplore why = feed(trigger, 4, 100, 60);
    assertThat(why).isNotNull();
    assertThat(why.missedTarget()).isTrue();
  }

  @Test
  void whenALoadChangeMustFindAMissAChoiceThatStillMeetsTheTargetHolds() {
    ReexplorationTrigger trigger = new ReexplorationTrigger(50,
        SchedParameters.DEFAULTS.withWatchWindows(4).withLoadChangeNeedsMiss(true));
    trigger.watch(true);
    feed(trigger, 4, 100, 40);

    assertThat(feed(trigger, 8, 200, 45)).as("twice the load, still within the target").isNull();
    assertThat(feed(trigger, 8, 100, 30)).as("back down, within the target").isNull();
    ReexplorationTrigger.Reexplore why = feed(trigger, 8, 200, 70);
    assertThat(why).as("twice the load again, now over the target").isNotNull();
    assertThat(why.missedTarget()).isFalse();
    assertThat(why.why()).contains("load moved");
  }

  @Test
  void aChoiceThatNeverMetTheTargetIsNotExploredAgainForMissing() {
    ReexplorationTrigger trigger = watching(false);
    assertThat(feed(trigger, 100, 100, 60)).isNull();
  }
}
