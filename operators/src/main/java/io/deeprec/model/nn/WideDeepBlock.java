package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Wide and Deep and its multi-task form. The raw dense features and all table embeddings are
 * concatenated into the deep MLP, as in the reference. WnD: {@link ModelSpec#topMlp()} ends in the
 * logit. MT-WnD: {@link ModelSpec#topMlp()} is shared, then each of {@link ModelSpec#taskHeads()}
 * heads runs {@link ModelSpec#headMlp()}; the logit is the mean of the heads' logits (a ranking
 * needs one score; with the default single head it is that head).
 */
final class WideDeepBlock extends RecBlock {
  private final SequentialBlock deep;
  private final List<SequentialBlock> heads = new ArrayList<>();

  WideDeepBlock(ModelSpec spec) {
    super(spec);
    boolean multiTask = spec.id() == ModelId.MTWND;
    this.deep = addChildBlock("deep", mlp(spec.topMlp(), multiTask));
    if (multiTask) {
      for (int i = 0; i < spec.taskHeads(); i++) {
        heads.add(addChildBlock("head" + i, mlp(spec.headMlp(), false)));
      }
    }
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    init(deep, manager, dataType, spec.denseDim() + (long) spec.tables().size() * spec.embeddingDim());
    long shared = spec.topMlp().get(spec.topMlp().size() - 1);
    for (SequentialBlock head : heads) {
      init(head, manager, dataType, shared);
    }
  }

  @Override
  protected NDArray logits(Embeddings emb, ParameterStore ps, NDArray dense, boolean training) {
    NDArray pooled = emb.pooledFlat();
    NDArray x = run(deep, ps, dense == null ? pooled : dense.concat(pooled, 1), training);
    if (heads.isEmpty()) {
      return x;
    }
    NDArray sum = null;
    for (SequentialBlock head : heads) {
      NDArray logit = run(head, ps, x, training);
      sum = sum == null ? logit : sum.add(logit);
    }
    return heads.size() == 1 ? sum : sum.div(heads.size());
  }
}
