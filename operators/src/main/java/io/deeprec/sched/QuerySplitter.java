package io.deeprec.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a query of N items into pieces for inference requests of at most {@code batchSize} items,
 * given how many items already wait in the open (partial) request, by a {@link SplitRule} where
 * requests are not merged.
 */
public final class QuerySplitter {

  private QuerySplitter() {}

  /**
   * One contiguous piece of a query.
   *
   * @param offset index of the piece's first item in the query
   * @param length item count
   * @param closesRequest true when, after this piece, the request it joined is full (release it);
   *     false when the piece stays in the open request (to be merged, or released by a timer)
   */
  public record Piece(int offset, int length, boolean closesRequest) {}

  /**
   * Plans the pieces of one query.
   *
   * @param queryItems N, at least 1
   * @param pendingItems items already in the open request (0 when none is open); must be < batchSize
   * @param settings the batch size and whether partial requests may wait to merge
   * @param rule how the pieces are sized without merging (with merging each piece fills the open request)
   * @return pieces in query order; without merging every piece closes its request, so a query of N
   *     items gives ceil(N / batchSize) requests
   */
  public static List<Piece> plan(int queryItems, int pendingItems, BatchSettings settings, SplitRule rule) {
    int batch = settings.batchSize();
    if (queryItems < 1) {
      throw new IllegalArgumentException("a query has at least one item: " + queryItems);
    }
    if (pendingItems < 0 || pendingItems >= batch) {
      throw new IllegalArgumentException("pending items must be in [0, " + batch + "): " + pendingItems);
    }
    if (!settings.merges() && rule == SplitRule.BALANCED) {
      return balanced(queryItems, batch);
    }
    List<Piece> pieces = new ArrayList<>(queryItems / batch + 2);
    boolean merge = settings.merges();
    int room = merge ? batch - pendingItems : batch;
    int offset = 0;
    while (offset < queryItems) {
      int length = Math.min(room, queryItems - offset);
      boolean full = length == room;
      pieces.add(new Piece(offset, length, full || !merge));
      offset += length;
      room = batch;
    }
    return pieces;
  }

  /** ceil(N / batch) pieces whose lengths differ by at most one item, the longer ones first. */
  private static List<Piece> balanced(int queryItems, int batch) {
    int count = requestCount(queryItems, batch);
    int shorter = queryItems / count;
    int longer = queryItems % count;
    List<Piece> pieces = new ArrayList<>(count);
    int offset = 0;
    for (int i = 0; i < count; i++) {
      int length = i < longer ? shorter + 1 : shorter;
      pieces.add(new Piece(offset, length, true));
      offset += length;
    }
    return pieces;
  }

  /** ceil(n / batchSize): the request count of a query when nothing is merged. */
  public static int requestCount(int queryItems, int batchSize) {
    return (queryItems + batchSize - 1) / batchSize;
  }
}
