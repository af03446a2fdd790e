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
 * DIN as the reference runs it (harvard-acc/DeepRecSys models/din.py). The ad is the first item-side
 * SUM table. Each behaviour (SEQUENCE) table's lookups are summed, as the reference's
 * SparseLengthsSum does, and its own attention unit ({@link ModelSpec#attentionMlp()}, a ReLU after
 * every layer) maps [behaviour, ad, behaviour + ad] to a vector of the embedding width; the units'
 * outputs are summed into one interest vector, which takes the behaviour tables' place among the
 * other tables' vectors. The concatenation goes through {@link ModelSpec#topMlp()} to two logits.
 */
final class DinBlock extends RecBlock {
  private final List<SequentialBlock> attention = new ArrayList<>();
  private final SequentialBlock top;
  private final int adTable;

  DinBlock(ModelSpec spec) {
    super(spec);
    List<TableSpec> tables = spec.tables();
    int ad = -1;
    for (int i = 0; i < tables.size(); i++) {
      TableSpec t = tables.get(i);
      if (t.pooling() == TableSpec.Pooling.SEQUENCE) {
        attention.add(addChildBlock("attention_" + t.name(), mlp(spec.attentionMlp(), true)));
      } else if (ad < 0 && t.side() == TableSpec.Side.ITEM) {
        ad = i;
      }
    }
    this.adTable = ad;
    this.top = addChildBlock("top", mlp(spec.topMlp(), false));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    int dim = spec.embeddingDim();
    for (SequentialBlock unit : attention) {
      init(unit, manager, dataType, 3L * dim);
    }
    init(top, manager, dataType, (long) (spec.tables().size() - attention.size() + 1) * dim);
  }

  @Override
  protected NDArray logits(Embeddings emb, ParameterStore ps, NDArray dense, boolean training) {
    NDList tables = emb.tables();
    NDArray ad = tables.get(adTable);
    NDList topInput = new NDList();
    NDArray interest = null;
    int interestAt = -1;
    int unit = 0;
    for (NDArray table : tables) {
      if (table.getShape().dimension() != 3) {
        topInput.add(table);
        continue;
      }
      NDArray behaviour = table.sum(new int[] {1});
      NDArray out = run(attention.get(unit++), ps, concat(new NDList(behaviour, ad, behaviour.add(ad)), 1), training);
      if (interest == null) {
        interestAt = topInput.size();
        interest = out;
      } else {
        interest = interest.add(out);
      }
    }
    topInput.add(interestAt, interest);
    return classOneLogit(run(top, ps, concat(topInput, 1), training));
  }
}
