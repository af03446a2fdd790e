package io.deeprec.validate;

import io.deeprec.model.ModelId;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.RecQuery;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Checks a decoded query against the models this job serves. Plain Java: the Flink operator only
 * routes what this returns.
 */
public final class QueryValidator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, ModelSpec> servedModels;
  private final int maxCandidates;
  private final boolean requireDeadline;

  /**
   * @param servedModels specs by model id ({@link ModelId#cliName()}), at the table scale served
   * @param maxCandidates largest N accepted
   * @param requireDeadline whether a query without a deadline is refused
   */
  public QueryValidator(Map<String, ModelSpec> servedModels, int maxCandidates, boolean requireDeadline) {
    this.servedModels = Map.copyOf(servedModels);
    this.maxCandidates = maxCandidates;
    this.requireDeadline = requireDeadline;
  }

  public QueryValidator(Map<String, ModelSpec> servedModels, int maxCandidates) {
    this(servedModels, maxCandidates, false);
  }

  /** Returns null when the query can be served, else the reason it cannot. */
  public String problem(RecQuery query) {
    if (query.getQueryId() == null || query.getQueryId().isBlank()) {
      return "queryId is empty";
    }
    ModelSpec spec = servedModels.get(query.getModel());
    if (spec == null) {
      return "unknown model '" + query.getModel() + "': this job serves " + servedModels.keySet();
    }
    List<Long> candidates = query.getCandidateIds();
    int n = candidates == null ? 0 : candidates.size();
    if (n == 0) {
      return "empty candidate list";
    }
    if (n > maxCandidates) {
      return n + " candidates exceed the maximum of " + maxCandidates;
    }
    if (query.getTopK() < 1) {
      return "topK must be >= 1: " + query.getTopK();
    }
    if (query.getArrivalTimeMs() <= 0) {
      return "arrivalTimeMs must be a positive epoch ms: " + query.getArrivalTimeMs();
    }
    Long deadline = query.getDeadlineMs();
    if (deadline == null && requireDeadline) {
      return "deadline is missing (this job requires one: deeprec.query.require-deadline)";
    }
    if (deadline != null && deadline < query.getArrivalTimeMs()) {
      return "deadlineMs " + deadline + " is before arrivalTimeMs " + query.getArrivalTimeMs();
    }
    CandidateFeatures features = query.getFeatures();
    return features == null ? null : featureProblem(spec, n, features);
  }

  private static String featureProblem(ModelSpec spec, int n, CandidateFeatures features) {
    List<Float> dense = features.getDense();
    long wantDense = (long) n * spec.denseDim();
    if (dense.size() != wantDense) {
      return "dense features: " + dense.size() + " floats, expected " + n + " x " + spec.denseDim();
    }
    for (int i = 0; i < dense.size(); i++) {
      float value = dense.get(i);
      if (!Float.isFinite(value)) {
        return "dense feature " + (i % Math.max(1, spec.denseDim())) + " of candidate "
            + (i / Math.max(1, spec.denseDim())) + " is " + value;
      }
    }
    List<Integer> sparse = features.getSparse();
    int perItem = spec.sparseIdsPerItem();
    long wantSparse = (long) n * perItem;
    if (sparse.size() != wantSparse) {
      return "sparse features: " + sparse.size() + " ids, expected " + n + " x " + perItem;
    }
    List<TableSpec> tables = spec.tables();
    int position = 0;
    for (int item = 0; item < n; item++) {
      for (TableSpec table : tables) {
        for (int lookup = 0; lookup < table.lookups(); lookup++) {
          int id = sparse.get(position++);
          if (id < 0 || id >= table.rows()) {
            return "sparse id " + id + " of table " + table.name() + " (candidate " + item
                + ") is outside [0, " + table.rows() + ")";
          }
        }
      }
    }
    return null;
  }
}
