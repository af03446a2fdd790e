package io.deeprec.serving;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.QuerySplitter;
import io.deeprec.sched.QuerySplitter.Piece;
import io.deeprec.sched.SplitRule;
import java.util.List;

/**
 * How one arriving query joins the requests of its model: the one copy of the batching rules that
 * the job's micro-batcher, the serving simulator and the in-process harness all follow.
 *
 * <ul>
 *   <li>A query at or above the offload threshold goes whole to the accelerator.
 *   <li>An open (partial) request is released first when it was opened under other settings than
 *       those in force now, or is already full, or merging is off: a request never mixes settings,
 *       so every result says exactly which settings served it.
 *   <li>Otherwise the query is cut by {@link QuerySplitter} against the open request's items (by
 *       the job's {@link SplitRule} when requests are not merged): a piece that fills its request
 *       releases it; the last piece may stay open, to be released by a later query's piece or when
 *       its first item has waited {@code maxQueueDelayMs}.
 * </ul>
 */
public final class BatchingRules {

  private BatchingRules() {}

  /**
   * What to do with one query.
   *
   * @param offload send the whole query to the accelerator (nothing else applies)
   * @param releaseOpenFirst release the open request before placing any piece
   * @param pieces the query's pieces in order (empty when offloaded); each joins the open request
   *     (opening one when none is open) and releases it when {@link Piece#closesRequest}
   */
  public record Admission(boolean offload, boolean releaseOpenFirst, List<Piece> pieces) {}

  /**
   * @param queryItems the query's candidate count, at least 1
   * @param openItems items in the open request (0 when none is open)
   * @param openSettings the settings the open request was opened under (null when none is open)
   * @param settings the settings in force now
   * @param split how a query is cut when requests are not merged
   */
  public static Admission admit(int queryItems, int openItems, BatchSettings openSettings, BatchSettings settings,
      SplitRule split) {
    boolean releaseFirst = openItems > 0
        && (!settings.equals(openSettings) || openItems >= settings.batchSize() || !settings.merges());
    if (settings.offloads(queryItems)) {
      return new Admission(true, false, List.of());
    }
    return new Admission(false, releaseFirst, QuerySplitter.plan(queryItems, releaseFirst ? 0 : openItems, settings, split));
  }

  /** When a request opened at {@code openedAtMs} under {@code settings} must be released, ms. */
  public static double releaseDueMs(double openedAtMs, BatchSettings settings) {
    return openedAtMs + settings.maxQueueDelayMs();
  }
}
