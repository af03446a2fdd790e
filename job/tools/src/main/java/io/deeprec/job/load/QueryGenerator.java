package io.deeprec.job.load;

import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.RecQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded stream of queries: a model from the mix, a size from the size distribution, random user
 * and candidate ids. Features are left to the server's feature store (as a real ranking service
 * would fetch them), which keeps query records small.
 */
public final class QueryGenerator {
  private final ModelMix models;
  private final QuerySizes sizes;
  private final SplittableRandom random;
  private final String runId;
  private final int topK;
  private final long itemSpace;
  private long sequence;

  /**
   * @param models model ids to cycle through at random, equally often
   * @param runId prefix of the query ids, so that ids are unique across runs on one topic
   */
  public QueryGenerator(List<String> models, QuerySizes sizes, long seed, String runId, int topK) {
    this(ModelMix.uniform(models), sizes, seed, runId, topK);
  }

  /** @param models which model each query asks for, by weight */
  public QueryGenerator(ModelMix models, QuerySizes sizes, long seed, String runId, int topK) {
    this.models = models;
    this.sizes = sizes;
    this.random = new SplittableRandom(seed);
    this.runId = runId;
    this.topK = topK;
    this.itemSpace = 10_000_000L;
  }

  /** The next query, timestamped {@code arrivalTimeMs}. */
  public RecQuery next(long arrivalTimeMs) {
    int n = sizes.next(random);
    List<Long> candidates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      candidates.add(random.nextLong(itemSpace));
    }
    return RecQuery.newBuilder()
        .setQueryId(runId + "-" + (sequence++))
        .setModel(models.pick(random))
        .setUserId(random.nextLong(1_000_000L))
        .setCandidateIds(candidates)
        .setArrivalTimeMs(arrivalTimeMs)
        .setTopK(topK)
        .build();
  }

  public long generated() {
    return sequence;
  }
}
