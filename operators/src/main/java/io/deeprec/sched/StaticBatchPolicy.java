package io.deeprec.sched;

/**
 * The paper's baseline: a whole query is one inference request, whatever its size. It does the
 * least total work (one fixed per-call cost per query), so it has the most capacity, but a query's
 * latency is its full single-worker service time: it cannot use idle workers to finish one query
 * sooner.
 */
public final class StaticBatchPolicy implements BatchPolicy {
  private static final long serialVersionUID = 1L;

  private static final BatchSettings WHOLE_QUERY = new BatchSettings(BatchSettings.MAX_BATCH, 0, 0);

  @Override
  public String name() {
    return "static";
  }

  @Override
  public BatchSettings settings() {
    return WHOLE_QUERY;
  }

  @Override
  public String toString() {
    return "static(whole query per request)";
  }
}
