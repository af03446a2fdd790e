package io.deeprec.inference;

import io.deeprec.schema.ScoredItem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Top-k selection; the top k of a union is the top k of the parts' top k, so parts reduce early. */
public final class TopK {
  private static final Comparator<ScoredItem> ASCENDING =
      Comparator.comparingDouble(ScoredItem::getScore).thenComparing(ScoredItem::getItemId, Comparator.reverseOrder());

  private TopK() {}

  /** The k highest-scoring of {@code ids[from..from+length)}, highest first (ties: lower id first). */
  public static List<ScoredItem> select(List<Long> ids, float[] scores, int scoreOffset, int k) {
    PriorityQueue<ScoredItem> heap = new PriorityQueue<>(Math.max(1, k) + 1, ASCENDING);
    for (int i = 0; i < ids.size(); i++) {
      offer(heap, new ScoredItem(ids.get(i), scores[scoreOffset + i]), k);
    }
    return drain(heap);
  }

  /** Merges two ranked lists into the top k, highest first. */
  public static List<ScoredItem> merge(List<ScoredItem> a, List<ScoredItem> b, int k) {
    PriorityQueue<ScoredItem> heap = new PriorityQueue<>(Math.max(1, k) + 1, ASCENDING);
    a.forEach(item -> offer(heap, item, k));
    b.forEach(item -> offer(heap, item, k));
    return drain(heap);
  }

  private static void offer(PriorityQueue<ScoredItem> heap, ScoredItem item, int k) {
    if (heap.size() < k) {
      heap.add(item);
    } else if (k > 0 && ASCENDING.compare(item, heap.peek()) > 0) {
      heap.poll();
      heap.add(item);
    }
  }

  private static List<ScoredItem> drain(PriorityQueue<ScoredItem> heap) {
    List<ScoredItem> out = new ArrayList<>(heap.size());
    while (!heap.isEmpty()) {
      out.add(heap.poll());
    }
    java.util.Collections.reverse(out);
    return out;
  }
}
