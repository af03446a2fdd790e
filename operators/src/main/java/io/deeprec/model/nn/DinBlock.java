package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * DIN. The query is the first item-side SUM table (the ad). Each behaviour (SEQUENCE) table has
 * its own attention unit: for every step, {@link ModelSpec#attentionMlp()} on [behaviour, ad,
 * behaviour * ad] gives a weight, and the weighted steps are summed (not softmax-normalised, as in
 * the DIN paper, so the pooled vector keeps the intensity of interest). The pooled behaviours take
 * their table's place among the other tables' vectors, and the concatenation goes through {@link
 * ModelSpec#topMlp()} to two logits.
 */
final class DinBlock extends RecBlock {
  private final List<SequentialBlock> attention = new ArrayList<>();
  private final SequentialBlock top;
  private final int queryTable;

  DinBlock(ModelSpec spec) {
    super(spec);
    List<TableSpec> tables = spec.tables();
    int query = -1;
    for (int i = 0; i < tables.size(); i++) {
      TableSpec t = tables.get(i);
      if (t.pooling() == TableSpec.Pooling.SEQUENCE) {
        attention.add(addChildBlock("attention_" + t.name(), mlp(spec.attentionMlp(), false)));
      } else if (query < 0 && t.side() == TableSpec.Side.ITEM) {
        query = i;
      }
    }
    this.queryTable = query;
    this.top = addChildBlock("top", mlp(spec.topMlp(), false));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    int dim = spec.embeddingDim();
    for (SequentialBlock unit : attention) {
      init(unit, manager, dataType, 3L * dim);
    }
    init(top, manager, dataType, (long) spec.tables().size() * dim);
  }

  @Override
  protected NDArray logits(Embeddings emb, ParameterStore ps, NDArray dense, boolean training) {
    int dim = spec.embeddingDim();
    NDList t = emb.tables();
    NDArray query = t.get(queryTable);
    int unit = 0;
    for (int i = 0; i < t.size(); i++) {
      NDArray seq = t.get(i);
      if (seq.getShape().dimension() != 3) {
        continue;
      }
      long steps = seq.getShape().get(1);
      NDArray q = query.expandDims(1).broadcast(seq.getShape());
      NDArray in = concat(new NDList(seq, q, seq.mul(q)), 2).reshape(-1, 3L * dim);
      NDArray weights = run(attention.get(unit++), ps, in, training).reshape(-1, steps, 1);
      t.set(i, seq.mul(weights).sum(new int[] {1}));
    }
    return classOneLogit(run(top, ps, concat(t, 1), training));
  }
}
